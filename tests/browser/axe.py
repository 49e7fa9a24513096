"""axe-core in the page: the serious and critical accessibility violations, as a list that a test asserts empty.

axe-core is pinned in tests/browser/package.json (+ package-lock.json) and installed by `make test` into the
git-ignored tests/browser/node_modules; the script is injected from that file, never from a CDN.
"""

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

# A phone and a desktop; the applicant pages are checked at both, the admin at desktop.
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 740}


def blocking_violations(page):
    """Run axe on the page as it stands; one line per serious or critical violation (rule, impact, elements,
    axe's summary), so a failing assertion says what to fix."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `make test` (or `npm ci --prefix tests/browser`).")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} — {node['failureSummary']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
        for node in violation["nodes"]
    ]
