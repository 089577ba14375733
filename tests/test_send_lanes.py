"""One token's budget shared by a person's replies and the outbox: replies never wait, the
outbox's bulk takes what they leave, and two processes take half each."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.send_lanes import SendLane


async def test_the_bulk_waits_while_the_last_seconds_replies_used_the_budget() -> None:
    lane = SendLane(28)
    await asyncio.wait_for(lane.bulk(), 0.5)  # nothing sent: at once
    lane.sent(27)  # a burst of replies went (they never wait; the channel tells)
    with pytest.raises(TimeoutError):  # the budget is used: the bulk waits for the second
        await asyncio.wait_for(lane.bulk(), 0.2)


async def test_a_process_beside_another_takes_half_the_budget() -> None:
    lane = SendLane(28)
    lane.share = 0.5
    lane.sent(14)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(lane.bulk(), 0.2)
    alone = SendLane(28)
    alone.sent(14)
    await asyncio.wait_for(alone.bulk(), 0.5)  # alone, 14 of 28 leaves room


async def test_a_reply_waits_only_when_the_messengers_limit_itself_is_reached() -> None:
    from bot.services.send_lanes import LIMIT

    lane = SendLane(28)
    lane.sent(28)  # a fan-out used its budget: the replies still have room
    await asyncio.wait_for(lane.posting(), 0.5)
    lane.sent(LIMIT)  # the messenger's limit itself: a burst of replies waits for a slot
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(lane.posting(), 0.2)


async def test_beside_another_process_the_bulk_still_leaves_the_replies_a_slot() -> None:
    from bot.services.send_lanes import LIMIT

    lane = SendLane(28)
    lane.share = 0.5  # 14 of 28 for this process's bulk, 14 of 29 for all it posts
    lane.sent(int(LIMIT * 0.5) - 1)
    with pytest.raises(TimeoutError):  # the bulk stops one short of the limit
        await asyncio.wait_for(lane.bulk(), 0.2)
    await asyncio.wait_for(lane.posting(), 0.5)  # which a reply then has
