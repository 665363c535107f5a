"""The forwarder a hub-spawned server runs instead of a personal service (laketahoe.forward)."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web

from laketahoe.forward import make_app


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


def test_the_forwarder_signs_in_with_the_hub_token_and_drops_the_browsers_credentials():
    seen: dict = {}

    async def upstream(request: web.Request) -> web.StreamResponse:
        seen.update(path=request.path_qs, method=request.method, body=await request.read(), headers=dict(request.headers))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for n in range(3):
            await response.write(f"event: log\ndata: {n}\n\n".encode())
        await response.write_eof()
        return response

    async def main():
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", upstream)
        up_runner, up_url = await _serve(app)
        fwd_runner, fwd_url = await _serve(make_app(up_url, "hub-token"))
        try:
            async with aiohttp.ClientSession() as session:
                headers = {"Cookie": "_xsrf=x; jupyterhub-session=secret", "Authorization": "token browser-token",
                           "Content-Type": "application/json", "X-LakeTahoe-Request": "1"}
                async with session.post(f"{fwd_url}/api/v1/jobs?x=1", data=b'{"a": 1}', headers=headers) as r:
                    return r.status, r.headers.get("Content-Type"), await r.text()
        finally:
            await fwd_runner.cleanup()
            await up_runner.cleanup()

    status, content_type, text = asyncio.run(main())
    assert status == 200 and content_type == "text/event-stream"
    assert text.count("event: log") == 3
    assert seen["path"] == "/api/v1/jobs?x=1" and seen["method"] == "POST" and seen["body"] == b'{"a": 1}'
    assert seen["headers"]["Authorization"] == "Bearer hub-token"
    assert "Cookie" not in seen["headers"]
    assert seen["headers"]["X-LakeTahoe-Request"] == "1"


def test_an_unreachable_shared_service_is_a_502_naming_it():
    async def main():
        runner, url = await _serve(make_app("http://127.0.0.1:9", "hub-token"))
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{url}/api/v1/info") as r:
                    return r.status, await r.json()
        finally:
            await runner.cleanup()

    status, body = asyncio.run(main())
    assert status == 502
    assert "127.0.0.1:9" in body["error"]["message"]
