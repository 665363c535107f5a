"""The runner's kernel client: its quick readiness check is the one nbclient calls."""

from __future__ import annotations

import asyncio
from queue import Empty

from laketahoe._kernelclient import QUIET_SECONDS, QuickReadyClient
from laketahoe.runner.kernel import _kernel_manager_class


def test_the_runners_kernel_manager_hands_out_the_quick_ready_client():
    manager = _kernel_manager_class()(kernel_name="python3")
    client = manager.client()
    assert isinstance(client, QuickReadyClient)
    # nbclient awaits the public name; the base class binds it to its own 0.2 s drain.
    assert type(client).wait_for_ready is QuickReadyClient._async_wait_for_ready


class _Channel:
    """A channel that yields its messages, then stays quiet, recording each wait asked."""

    def __init__(self, messages):
        self.messages, self.timeouts = list(messages), []

    async def get_msg(self, timeout=None):
        self.timeouts.append(timeout)
        if not self.messages:
            raise Empty
        return self.messages.pop(0)


def test_ready_once_the_kernel_answered_and_iopub_went_quiet_briefly():
    client = QuickReadyClient()
    client._shell_channel = _Channel([{"msg_type": "kernel_info_reply", "content": {}}])
    client._iopub_channel = _Channel([{"msg_type": "iopub_welcome"}, {"msg_type": "status"}, {"msg_type": "status"}])
    client.kernel_info = lambda: None
    client._handle_kernel_info_reply = lambda msg: None
    asyncio.run(client.wait_for_ready(timeout=5))
    # The drain after the handshake waits QUIET_SECONDS at a time, not jupyter_client's 0.2 s.
    assert client._iopub_channel.timeouts[1:] == [QUIET_SECONDS] * 3
