"""Run every benchmark and print its figures: python benchmarks/run_all.py"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    status = 0
    for script in ("bench_round.py", "bench_generate.py", "bench_collate.py", "bench_report.py"):
        path = HERE / script
        if not path.exists():
            print(f"(missing: {script})")
            continue
        print(f"\n=== {script} ===", flush=True)
        status |= subprocess.call([sys.executable, str(path)])
    sys.exit(status)
