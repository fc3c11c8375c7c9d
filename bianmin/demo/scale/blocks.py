"""The plan played block by block: each block of `BLOCK` cases from its own random stream with
its own keys, in this process or shared out among forked worker processes."""

import random
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from queue import Empty
from typing import TYPE_CHECKING

from django.db import connection, connections

from ..names import NameSource
from .replay import Replay
from .rows import BLOCK, Ids, Rows

if TYPE_CHECKING:
    from .run import Generator, ScaleResult


class FastRandom(random.Random):
    """`randint`, `randrange` and `choice` scaled from one `random()` draw instead of drawing
    bits until one falls in range: a history makes millions of these draws, and the bias (below
    2**-40 for the ranges drawn here) is far below anything a demo could show."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if step != 1:
            return super().randrange(start, stop, step)
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


class Stream(FastRandom):
    """One block's random stream, with the block's applicant names, keys and rows."""

    def __init__(self, seed: int, block: int, first: dict):
        super().__init__(f"{seed}:cases:{block}")
        self.names = NameSource(FastRandom(f"{seed}:applicants:{block}"))
        self.ids = Ids(first, block)
        self.rows = Rows()


@dataclass
class Played:
    """One block played: its cases by state, and its rows as column values (None once written)."""

    block: int
    cases: int
    states: dict
    tables: list | None
    rows: int = 0


def play_block(gen: "Generator", counties: list, plan: list, block: int, first: dict, writer):
    """Play the cases of the plan's block number `block`."""
    stream = Stream(gen.seed, block, first)
    states: Counter = Counter()
    for day, k in plan[block * BLOCK : (block + 1) * BLOCK]:
        case = Replay(gen, counties[k], stream).play(day)
        if case is not None:
            states[case.state] += 1
    return Played(block, sum(states.values()), dict(states), writer.convert(stream.rows))


class Run:
    """Blocks played and written, their counts summed into a `ScaleResult`."""

    def __init__(self, gen, counties, plan, first, batch: int, progress):
        self.gen, self.counties, self.plan, self.first = gen, counties, plan, first
        self.batch, self.progress = batch, progress
        self.blocks = -(-len(plan) // BLOCK)

    def write(self, played, writer) -> "ScaleResult":
        """Write the blocks `played` yields, in that order, about `batch` cases a transaction."""
        from .run import ScaleResult

        started = time.monotonic()
        result, states, pending = ScaleResult(), Counter(), []
        for p in played:
            result.cases += p.cases
            states.update(p.states)
            result.rows += p.rows
            if p.tables is not None:
                pending.append(p)
            last = p.block == self.blocks - 1
            if pending and (last or sum(q.cases for q in pending) >= self.batch):
                result.rows += writer.write([q.tables for q in pending])
                pending = []
            if self.progress and (last or (p.block + 1) * BLOCK % 5000 == 0):
                done = min(len(self.plan), (p.block + 1) * BLOCK)
                self.progress(done, len(self.plan), time.monotonic() - started)
        result.states = dict(states)
        return result

    def in_processes(self, workers: int, writer) -> "ScaleResult":
        """Fork `workers` processes, worker `w` playing blocks `w`, `w + workers`, ...

        On SQLite a worker sends each block's rows back and this process writes them in block
        order, on its own connection and in whatever transaction it is in (the workers never
        touch the database); on PostgreSQL a worker COPYs its blocks over its own connection and
        sends back only the counts. A worker's queue holds a few blocks: a worker that runs
        ahead of the writer waits instead of filling memory."""
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        queues = [ctx.Queue(maxsize=4) for _w in range(workers)]
        write_here = connection.vendor != "sqlite"
        if write_here:
            connections.close_all()

        def child(w: int) -> None:
            try:
                for b in range(w, self.blocks, workers):
                    p = play_block(self.gen, self.counties, self.plan, b, self.first, writer)
                    if write_here:
                        p.rows, p.tables = writer.write([p.tables]), None
                    queues[w].put(p)
            except BaseException:
                queues[w].put(traceback.format_exc())
            finally:
                if write_here:
                    connections.close_all()

        procs = [ctx.Process(target=child, args=(w,), daemon=True) for w in range(workers)]
        for proc in procs:
            proc.start()
        try:
            played = (
                self._receive(queues[b % workers], procs[b % workers]) for b in range(self.blocks)
            )
            return self.write(played, writer)
        finally:
            for proc in procs:
                if proc.is_alive():
                    proc.terminate()
                proc.join()

    @staticmethod
    def _receive(queue, proc) -> Played:
        while True:
            try:
                answer = queue.get(timeout=5)
            except Empty:
                # A worker killed from outside never answers: stop waiting for it.
                if proc.exitcode not in (None, 0):
                    raise RuntimeError(f"a case worker exited with code {proc.exitcode}") from None
                continue
            if isinstance(answer, str):
                raise RuntimeError("case generation failed in a worker process:\n" + answer)
            return answer
