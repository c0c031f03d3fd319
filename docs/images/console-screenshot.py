#!/usr/bin/env python3
"""The README's console screenshots, taken from a running `make run` demo.

    make run &                                  # the demo on 127.0.0.1:8080
    python3 docs/images/console-screenshot.py   # needs chromium and chromedriver

Makes one phone call through the demo's Retell endpoints (signed with `slotline sign`, as
Retell signs), then signs in to the console in headless Chromium over WebDriver (plain HTTP,
so nothing beyond Python's standard library is needed) and saves the call's timeline and the
tenants page as PNGs next to this script.
"""

import base64
import datetime
import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
GATEWAY = os.environ.get("SLOTLINE_DEMO_URL", "http://127.0.0.1:8080")
SLOTLINE = os.environ.get("SLOTLINE", str(ROOT / "target/release/slotline"))
RETELL_KEY = "demo-retell-key"
ADMIN_TOKEN = "demo-admin-token"
CALL_ID = os.environ.get("SLOTLINE_DEMO_CALL_ID", "call_7f3a9c2e41")
OUT = pathlib.Path(__file__).resolve().parent


def post(url, body, headers=None):
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("content-type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            text = reply.read()
    except urllib.error.HTTPError as err:
        sys.exit(f"{url} answered {err.code}: {err.read().decode(errors='replace')}")
    return json.loads(text) if text else None


def retell(path, body):
    text = json.dumps(body, separators=(",", ":"))
    signature = subprocess.run(
        [SLOTLINE, "sign", "--key", RETELL_KEY, text],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    request = urllib.request.Request(f"{GATEWAY}{path}", data=text.encode(), method="POST")
    request.add_header("content-type", "application/json")
    request.add_header("x-retell-signature", signature)
    with urllib.request.urlopen(request, timeout=60) as reply:
        answer = reply.read()
    return json.loads(answer) if answer else None


def next_workday():
    day = datetime.date.today()
    while True:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            return day.isoformat()


def phone_call():
    call = {"call_id": CALL_ID, "from_number": "+4915112345678", "to_number": "+4930123456"}
    retell("/v1/retell/demo/events", {"event": "call_started", "call": {**call, "call_status": "ongoing"}})
    day = next_workday()

    def tool(name, args):
        reply = retell("/v1/retell/demo", {"name": name, "args": args, "call": call})
        print(f"{name}: {reply['message']}")
        return reply

    tool("parse_date", {"text": "übermorgen um drei"})
    tool("check_availability", {"datum": day, "uhrzeit": "15:00"})
    tool("find_alternatives", {"datum": day, "uhrzeit": "15:00"})
    tool("check_availability", {"datum": day, "uhrzeit": "14:00"})
    tool("create_booking", {"datum": day, "uhrzeit": "14:00", "name": "Anna Schmidt"})
    tool("request_callback", {"name": "Jonas Weber", "grund": "Frage zur Rechnung", "wunschzeit": "nachmittags"})
    retell("/v1/retell/demo/events", {"event": "call_ended", "call": {**call, "call_status": "ended"}})


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self):
        port = free_port()
        self.driver = subprocess.Popen(
            [os.environ.get("CHROMEDRIVER", "chromedriver"), f"--port={port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.base}/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        options = {
            "binary": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                     "--hide-scrollbars"],
        }
        session = post(f"{self.base}/session",
                       {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}})
        self.session = f"{self.base}/session/{session['value']['sessionId']}"

    def goto(self, url):
        post(f"{self.session}/url", {"url": url})

    def wait_for(self, css, patience=30):
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            found = post(f"{self.session}/elements", {"using": "css selector", "value": css})
            if found["value"]:
                # A W3C element reference: {"element-6066-…": id}, its only value.
                return next(iter(found["value"][0].values()))
            time.sleep(0.2)
        sys.exit(f"the console never showed {css}")

    def type(self, element, text):
        post(f"{self.session}/element/{element}/value", {"text": text})

    def screenshot(self, name):
        with urllib.request.urlopen(f"{self.session}/screenshot", timeout=60) as reply:
            png = base64.b64decode(json.loads(reply.read())["value"])
        (OUT / name).write_bytes(png)
        print(f"wrote {OUT / name}")

    def close(self):
        request = urllib.request.Request(self.session, method="DELETE")
        urllib.request.urlopen(request, timeout=30)
        self.driver.terminate()


def main():
    phone_call()
    browser = Browser()
    try:
        browser.goto(f"{GATEWAY}/console")
        browser.type(browser.wait_for("#token"), ADMIN_TOKEN + "\ue007")
        browser.wait_for("section[data-tenant='demo'] div[data-chart] canvas")
        browser.screenshot("console-tenants.png")
        browser.goto(f"{GATEWAY}/console#/t/demo/calls/{CALL_ID}")
        browser.wait_for("li.toolcall[data-tool='create_booking'] .waterfall")
        browser.screenshot("console.png")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
