#!/usr/bin/env python
"""Does a run stop when its page is closed? (issue 11). Starts ``streamlit run serve.py`` on a free
port with a scratch database, pastes a long text (the example article 25 times over, ~72,000
characters) in headless Debian chromium, presses Analyze, closes the tab 15 s later, and prints how
many cores the server process keeps busy every 5 s after that, then whether anything was saved.

    .venv/bin/python scripts/check_run_cancel.py

Prints figures; asserts nothing. Needs /usr/bin/chromium, the bundled models and ../shared/articles.
"""
import socket
import tempfile
from pathlib import Path
REPO = Path(__file__).resolve().parents[1]
import sys, time, subprocess, os, urllib.request
from playwright.sync_api import sync_playwright
with socket.socket() as _s:
    _s.bind(("127.0.0.1", 0))
    port = _s.getsockname()[1]
scratch = tempfile.mkdtemp(prefix="stancemap-cancel-")
env={**os.environ,"STANCEMAP_DB":f"sqlite:///{scratch}/cancel.db","HF_HUB_OFFLINE":"1"}
log=open(f'{scratch}/streamlit.log','w')
p=subprocess.Popen([sys.executable,"-m","streamlit","run","serve.py","--server.headless","true","--server.port",str(port),"--server.address","127.0.0.1"],cwd=REPO,env=env,stdout=log,stderr=subprocess.STDOUT)
url=f"http://127.0.0.1:{port}"
for _ in range(120):
    try:
        urllib.request.urlopen(url+"/_stcore/health",timeout=2); break
    except OSError: time.sleep(0.5)
def cpu():
    f=open(f"/proc/{p.pid}/stat").read().split(")")[1].split()
    return (int(f[11])+int(f[12]))/os.sysconf("SC_CLK_TCK")
art=(REPO.parent / 'shared' / 'articles' / 'ukraine-talks-2025-08-26.txt').read_text(encoding='utf-8')
big="\n\n".join(art.replace("Trump", f"Trump{i}") for i in range(25))   # ~25 articles' worth in one paste
print("paste chars", len(big))
try:
  with sync_playwright() as pw:
    b=pw.chromium.launch(executable_path="/usr/bin/chromium",args=["--no-sandbox"])
    ctx=b.new_context(); page=ctx.new_page()
    page.goto(url)
    box=page.get_by_role("textbox",name="Paste article text")
    box.fill(big); box.press("Tab")
    page.get_by_role("button",name="Analyze",exact=True).click()
    time.sleep(15)
    c0=cpu(); time.sleep(5); c1=cpu()
    print(f"while running: {(c1-c0)/5:.2f} cores busy")
    ctx.close()   # the user closes the tab
    t_close=time.time()
    for k in range(12):
        a=cpu(); time.sleep(5); b_=cpu()
        print(f"{time.time()-t_close:5.0f}s after close: {(b_-a)/5:.2f} cores busy", flush=True)
        if (b_-a)/5 < 0.05: break
finally:
    p.terminate()
sys.path.insert(0, str(REPO))
from analysis import store  # noqa: E402
print("analyses saved:", len(store.list_analyses(f"sqlite:///{scratch}/cancel.db")))
