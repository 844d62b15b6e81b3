"""Writes handed to the group commit (app/intake/group_commit.py) from the event loop.

A small write is queued and awaited on the loop: no thread of the pool sits blocked while the
writer works, and thirty concurrent webhooks are thirty awaits, not thirty parked threads
that each wake for their answer. A large write runs alone, in a thread of the pool."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from ordertrail.app.intake.group_commit import ALONE_FROM, GroupCommit, Write

T = TypeVar("T")


async def committed(commits: GroupCommit, write: Write[T], events: int) -> T:
    """`write`'s answer once it is committed (its own failure, or the transaction's, raised)."""
    if events >= ALONE_FROM:
        return await run_in_threadpool(commits.alone, write)
    return await asyncio.wrap_future(commits.queued(write, events))
