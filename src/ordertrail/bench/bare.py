"""The ceiling `bench http` compares with: FastAPI with one sync route returning a small JSON
object, served by the same uvicorn as `ordertrail serve` (`uvicorn ordertrail.bench.bare:app`).
Nothing of OrderTrail runs in it."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
