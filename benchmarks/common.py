"""Shared helpers: machine facts, percentiles, result files, one measurement per subprocess.

Each measurement runs in a fresh Python process (`run_child`) so that peak memory (ru_maxrss) and
warm caches belong to that measurement alone.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
REALDOCS = ROOT.parent / "shared" / "realdocs"
REALDOCS_QUESTIONS = ROOT.parent / "shared" / "realdocs-questions.yaml"

# Questions for synthetic corpora: the domain's words, Swedish and English, as staff ask them.
QUESTIONS = [
    "Hur stor är medfinansieringen i BMVI för utrustning?",
    "What is the maximum co-financing rate for eligible expenditure under ISF?",
    "Vilken myndighet är revisionsmyndighet för fonden?",
    "Which tasks does the national coordination centre have under EUROSUR?",
    "Får utrustning köpt med ISF-medel användas för gränsövervakning?",
    "How are irregularities and financial corrections handled?",
    "Vad gäller för återkrav av utbetalningar till stödmottagare?",
    "emergency assistance allocation to a member state programme",
    "Vilka indikatorer ska rapporteras i den årliga prestationsrapporten?",
    "liaison officers for return operations ARLO RDO",
    "Hur görs riskanalys och sårbarhetsbedömning enligt CIRAM?",
    "Which technical assistance costs are eligible?",
]


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    with contextlib.suppress(OSError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": list(os.getloadavg()),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": round(pct(ms, 50), 1),
        "p95_ms": round(pct(ms, 95), 1),
        "p99_ms": round(pct(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else float("nan"),
    }


def maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    p = RESULTS / f"{name}.json"
    p.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"→ {p.relative_to(ROOT)}")
    return p


def run_child(
    func: str, args: dict[str, Any], env: dict[str, str] | None = None, timeout: float = 7200
) -> dict[str, Any]:
    """Run `module:function(**args)` in a fresh interpreter; returns its dict plus maxrss_mb."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "SLACK_"))}
    full_env.update(env or {})
    full_env.setdefault("ANONYMIZED_TELEMETRY", "False")
    cmd = [sys.executable, "-m", "benchmarks.common", func, json.dumps(args)]
    r = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    for line in reversed(r.stdout.splitlines()):
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise RuntimeError(f"{func} failed (exit {r.returncode}):\n{r.stderr[-3000:]}")


def _child_main() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    func, raw = sys.argv[1], sys.argv[2]
    mod, name = func.split(":")
    out = getattr(importlib.import_module(mod), name)(**json.loads(raw))
    out["maxrss_mb"] = maxrss_mb()
    print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    _child_main()
