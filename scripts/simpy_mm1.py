#!/usr/bin/python3
"""The M/M/1 queue of tests/bench/bench_mm1.c, in SimPy, for scripts/bench.

Customers arrive at rate 0.9 and are served FIFO by one server at rate 1; the line
printed has the same format as bench_mm1's: customers simulated per second of wall
time (set-up and the run included) and the mean waiting time in queue (theory:
rho / (mu - lambda) = 9 time units; a random quantity: its standard deviation over
seeds is about 0.2 at 1 M customers).

This is SimPy 2 as Debian packages it (python3-simpy 2.3.1: `from SimPy.Simulation
import *`), which only Debian's /usr/bin/python3 sees; `WBSIM_EXTRA_DEPS=1
scripts/deps` installs it.  The model is the textbook SimPy 2 one: a source process
creates a customer process per arrival, and each customer requests a Resource of
capacity 1 (FIFO queue), holds it for its service time and releases it.

    /usr/bin/python3 scripts/simpy_mm1.py [customers] [seed]
"""
import random
import sys
import time

try:
    from SimPy.Simulation import (Process, Resource, activate, hold, initialize,
                                  now, release, request, simulate)
except ImportError:
    sys.exit("simpy_mm1: SimPy 2 not found (WBSIM_EXTRA_DEPS=1 scripts/deps installs "
             "python3-simpy; run this with /usr/bin/python3)")

LAMBDA = 0.9
MU = 1.0


class Stats:
    served = 0
    wait_sum = 0.0


class Customer(Process):
    def run(self, server, service, stats):
        arrived = now()
        yield request, self, server
        stats.wait_sum += now() - arrived
        yield hold, self, service.expovariate(MU)
        yield release, self, server
        stats.served += 1


class Source(Process):
    def run(self, n, server, arrivals, service, stats):
        for _ in range(n):
            yield hold, self, arrivals.expovariate(LAMBDA)
            c = Customer()
            activate(c, c.run(server, service, stats))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if n <= 0:
        sys.exit("usage: simpy_mm1.py [customers > 0] [seed]")
    # Two independent streams, as bench_mm1 has ("arrivals", "service").
    arrivals = random.Random(f"{seed}:arrivals")
    service = random.Random(f"{seed}:service")
    stats = Stats()

    t0 = time.perf_counter()
    initialize()
    server = Resource(capacity=1, name="server", unitName="server")
    src = Source()
    activate(src, src.run(n, server, arrivals, service, stats))
    simulate(until=1e300)
    wall = time.perf_counter() - t0

    if stats.served != n:
        sys.exit(f"simpy_mm1: run ended with {stats.served} of {n} customers served")
    print(f"simpy  {n} customers  {n / wall / 1e6:.3f} M customers/s  "
          f"mean wait {stats.wait_sum / n:.2f}  (theory 9.00; sim time {now():.0f} units, "
          f"wall {wall:.3f} s)")


if __name__ == "__main__":
    main()
