#!/usr/bin/env python3
"""Attacks a running snapdeck-proxy on loopback and measures what ordinary
requests get meanwhile. Loopback only; every loop is bounded in count and
time.

Attackers connect from 127.0.0.2-127.0.0.5; the ordinary client from
127.0.0.1. For each attack the script prints the share of ordinary requests
answered (HTTP 200 within 5 s), their p99 latency and the proxy's peak
resident memory so far.

Usage: abuse-proxy.py PROXY_PORT UPSTREAM_URL PROXY_PID [CONNECTIONS] [SECONDS]
"""
import asyncio
import multiprocessing
import resource
import socket
import sys
import time

PROXY_PORT = int(sys.argv[1])
UPSTREAM = sys.argv[2].rstrip('/')
PROXY_PID = int(sys.argv[3])
CONNECTIONS = int(sys.argv[4]) if len(sys.argv) > 4 else 1200
SECONDS = float(sys.argv[5]) if len(sys.argv) > 5 else 15.0
ORDINARY = 60
ATTACKERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']
ORIGIN = 'http://abuse.test'
PATH = f'/{UPSTREAM}/ilkbyte/account?access=demo-access&secret=demo-secret'


def peak_rss_mb():
    with open(f'/proc/{PROXY_PID}/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return float('nan')


async def open_from(ip):
    return await asyncio.wait_for(
        asyncio.open_connection('127.0.0.1', PROXY_PORT, local_addr=(ip, 0)), 5)


def request(path=PATH, extra=''):
    return (f'GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n'
            f'{extra}\r\n').encode()


async def attacker(kind, ip, deadline, held):
    """Holds one attacking connection open until `deadline`, reconnecting
    when the proxy closes it (at most 200 times)."""
    for _ in range(200):
        if time.monotonic() >= deadline:
            return
        try:
            reader, writer = await open_from(ip)
        except (OSError, asyncio.TimeoutError):
            await asyncio.sleep(0.2)
            continue
        held[0] += 1
        try:
            if kind == 'slow body':
                writer.write(b'POST /' + UPSTREAM.encode() + b'/ilkbyte/account HTTP/1.1\r\n'
                             b'Host: x\r\nOrigin: ' + ORIGIN.encode() + b'\r\nContent-Length: 1000\r\n\r\n')
            elif kind == 'slow headers':
                writer.write(b'GET /' + UPSTREAM.encode() + b'/ilkbyte/account HTTP/1.1\r\n')
            elif kind == 'flood':
                writer.write(request() * 20)
            await writer.drain()
            while time.monotonic() < deadline:
                if kind in ('slow body', 'slow headers'):
                    writer.write(b'a' if kind == 'slow body' else b'X-A: b\r\n')
                    await writer.drain()
                    # Drip, and notice at once when the proxy hangs up.
                    try:
                        if not await asyncio.wait_for(reader.read(4096), 5):
                            break
                    except asyncio.TimeoutError:
                        pass
                elif kind == 'flood':
                    data = await asyncio.wait_for(reader.read(65536), 5)
                    if not data:
                        break
                    writer.write(request())
                    await writer.drain()
                else:  # idle
                    if not await asyncio.wait_for(reader.read(4096), max(0.1, deadline - time.monotonic())):
                        break
        except (OSError, asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            held[0] -= 1
            writer.close()


def ordinary(conn, spread):
    """The ordinary client, in a process of its own (so the attackers'
    event loop does not slow it): requests from 127.0.0.1, each on its own
    connection, spread over `spread` seconds; (answered, seconds) each."""
    results = []
    start = time.monotonic()
    # The whole run is bounded: requests still waiting at the end count as
    # unanswered.
    end = start + spread + 5
    for i in range(ORDINARY):
        time.sleep(max(0, start + i * spread / ORDINARY - time.monotonic()))
        t0 = time.monotonic()
        wait = min(5, end - t0)
        if wait <= 0:
            results.append((False, 0))
            continue
        ok = False
        try:
            with socket.create_connection(('127.0.0.1', PROXY_PORT), timeout=wait,
                                          source_address=('127.0.0.1', 0)) as s:
                s.settimeout(max(0.01, wait - (time.monotonic() - t0)))
                s.sendall(request(extra='Connection: close\r\n'))
                ok = s.makefile('rb').readline().startswith(b'HTTP/1.1 200')
        except OSError:
            ok = False
        results.append((ok, time.monotonic() - t0))
    conn.send(results)
    conn.close()


async def run(kind):
    held = [0]
    deadline = time.monotonic() + SECONDS + 5
    attackers = [asyncio.create_task(attacker(kind, ATTACKERS[i % len(ATTACKERS)], deadline, held))
                 for i in range(CONNECTIONS)] if kind != 'none' else []
    # Let the attack build up, then send the ordinary requests through it,
    # noting how many attacking connections are open meanwhile.
    await asyncio.sleep(3)
    peak = [0]

    async def watch():
        while True:
            peak[0] = max(peak[0], held[0])
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch())
    parent, child = multiprocessing.Pipe(duplex=False)
    client = multiprocessing.Process(target=ordinary, args=(child, SECONDS))
    client.start()
    loop = asyncio.get_running_loop()
    results = await loop.run_in_executor(None, parent.recv)
    client.join(10)
    watcher.cancel()
    holding = peak[0]
    for t in attackers:
        t.cancel()
    await asyncio.gather(*attackers, return_exceptions=True)
    answered = sum(1 for ok, _ in results if ok)
    latencies = sorted(t for ok, t in results if ok)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else float('nan')
    print(f'{kind:<13} {answered:>3}/{ORDINARY} answered ({100 * answered / ORDINARY:5.1f}%)  '
          f'p99 {p99:7.1f} ms  attacking connections open (peak) {holding:>4}  '
          f'proxy peak RSS {peak_rss_mb():5.1f} MB', flush=True)
    return answered


async def main():
    resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
    print(f'{CONNECTIONS} attacking connections from {len(ATTACKERS)} addresses, '
          f'{ORDINARY} ordinary requests over {SECONDS:.0f} s from 127.0.0.1', flush=True)
    worst = ORDINARY
    for kind in ['none', 'slow body', 'slow headers', 'idle', 'flood']:
        worst = min(worst, await run(kind))
        await asyncio.sleep(2)
    print(f'worst: {worst}/{ORDINARY} ordinary requests answered')


asyncio.run(main())
