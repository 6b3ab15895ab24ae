#!/usr/bin/python3
"""mqtt_latency.py — publish→NOTIFY latency of device state through mqttd.

Publishes PROBES state messages ({"state":{"probe":N}}) for one device with mosquitto_pub
and listens on station_events for the matching device.stateChanged; prints p50/p99 in
milliseconds. The time includes starting mosquitto_pub (a few ms), so it is an upper bound.

usage: mqtt_latency.py DSN HOST PORT STATION_ID EXT_ID TOKEN DEVICE_UUID PROBES
"""
import json
import select
import subprocess
import sys
import time

import psycopg2


def main():
    dsn, host, port, station, ext, token, device, probes = sys.argv[1:9]
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    conn.cursor().execute("LISTEN station_events")
    topic = f"station/{station}/device/{ext}/state"
    latencies = []
    for n in range(int(probes)):
        sent = time.monotonic()
        published = subprocess.run(["mosquitto_pub", "-h", host, "-p", port, "-u", ext, "-P", token, "-q", "1",
                                    "-t", topic, "-m", json.dumps({"state": {"probe": n}})])
        if published.returncode != 0:  # never print the command: it holds the device token
            sys.exit(f"latency: mosquitto_pub failed (exit {published.returncode})")
        deadline = sent + 5
        seen = False
        while not seen and time.monotonic() < deadline:
            if select.select([conn], [], [], deadline - time.monotonic()) == ([], [], []):
                break
            conn.poll()
            while conn.notifies:
                msg = json.loads(conn.notifies.pop(0).payload)
                data = msg.get("data", {})
                if (msg.get("type") == "device.stateChanged" and data.get("deviceId") == device
                        and data.get("state", {}).get("probe") == n):
                    latencies.append((time.monotonic() - sent) * 1000)
                    seen = True
        time.sleep(0.05)
    latencies.sort()
    if not latencies:
        print("latency: no notification seen")
        return
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"publish→NOTIFY latency over {len(latencies)}/{probes} probes: p50 {p50:.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    main()
