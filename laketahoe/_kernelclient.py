"""The kernel client runners use: ready as soon as the kernel is.

jupyter_client's client, once the kernel has answered ``kernel_info``, drains IOPub
until it has been quiet for 0.2 s. That is a fixed 0.2 s on every job, most of a
trivial trial once its kernel is forked warm. The drain only drops the handshake's
status messages, which the executing client would ignore anyway (it matches outputs
to its own requests): here a short quiet spell ends it.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

# Long enough for messages already on their way over a local socket.
QUIET_SECONDS = 0.01


class QuickReadyClient(AsyncKernelClient):
    """``AsyncKernelClient`` whose ``wait_for_ready`` does not idle once the kernel answered."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                # Something on IOPub proves the subscription is live: the first cell's output will arrive.
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=QUIET_SECONDS)
            except Empty:
                return

    # The base class binds its own implementation to the public name (nbclient calls that one).
    wait_for_ready = _async_wait_for_ready
