"""axe-core in the browser tests: WCAG 2.1 A and AA, checked on the page as the user sees it.

axe-core comes from the npm registry, pinned in package-lock.json, and `make test` installs it
(`make axe`, i.e. `npm ci`). Any browser test can call the `check_accessibility` fixture of
tests/browser/conftest.py on a page it has opened; pages added later get the same bar that way.
"""
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> str:
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"{AXE_SCRIPT.relative_to(ROOT)} is missing: run `make axe` (npm ci) first")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now and return its WCAG 2.1 A/AA violations (an empty list is a pass)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not govern.
        page.evaluate(axe_script() + "\n;undefined")
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
        }""",
        WCAG_21_AA,
    )
    return result


def describe(url: str, violations: list[dict]) -> str:
    lines = [f"{url}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} element(s))")
        for node in v["nodes"][:3]:
            lines.append(f"      {node['target']}")
    return "\n".join(lines)


def write_findings(path: Path, findings: dict[str, list[dict]]) -> None:
    """Keep what axe found on every page visited (test-artifacts/axe-*.json) for whoever reads the CI log."""
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(findings, indent=2, ensure_ascii=False), encoding="utf-8")
