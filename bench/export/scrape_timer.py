#!/usr/bin/python3
# bench/export/scrape_timer.py — time scrapes the way Prometheus makes them:
# one kept-alive connection, its Accept and Accept-Encoding headers, the
# whole body read.  Prints one line per scrape: seconds, status, bytes.
#
#   scrape_timer.py URL COUNT [text|prometheus]
#
# "prometheus" (default) sends Prometheus 2.42's headers (OpenMetrics first,
# gzip); "text" asks for the text format without compression.
import http.client
import sys
import time
import urllib.parse

PROM_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
               "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    count = int(sys.argv[2])
    mode = sys.argv[3] if len(sys.argv) > 3 else "prometheus"
    headers = {"Accept": PROM_ACCEPT, "Accept-Encoding": "gzip"} if mode == "prometheus" \
        else {"Accept": "text/plain;version=0.0.4", "Accept-Encoding": "identity"}
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    for _ in range(count):
        t0 = time.perf_counter()
        conn.request("GET", url.path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        dt = time.perf_counter() - t0
        print("%.6f %d %d" % (dt, resp.status, len(body)), flush=True)
        if resp.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)


if __name__ == "__main__":
    main()
