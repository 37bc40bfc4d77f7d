"""The shape of the house (DESIGN §8, STYLE): core < applications < ledger < services < reports < web, api.

An AST scan of the project's own modules (tests, migrations and bench excluded): each module imports
only from its own layer or layers below, no project module is imported inside a function, and the
modules import each other in no circle.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"core": 0, "applications": 1, "ledger": 2, "services": 3, "reports": 4, "web": 5, "api": 5, "config": 6}
EXCLUDED = {"migrations", "tests", "bench", ".venv", "__pycache__"}


def project_modules():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] not in LAYERS or EXCLUDED & set(parts):
            continue
        name = ".".join(parts)[:-3].removesuffix(".__init__")
        yield name, path


def imports(name, path):
    """(imported module, line, inside a function?) for every import of a project module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module
                found.append((module, child.lineno, in_function))
                found.extend((f"{module}.{alias.name}", child.lineno, in_function) for alias in child.names)
            visit(child, nested)

    visit(tree, False)
    return [(module, line, inner) for module, line, inner in found if module.split(".")[0] in LAYERS]


def graph():
    modules = dict(project_modules())
    edges = {}
    for name, path in modules.items():
        edges[name] = [(target, line, inner) for target, line, inner in imports(name, path) if target in modules]
    return modules, edges


def test_the_scan_sees_the_house():
    modules, edges = graph()
    assert {"core.money", "applications.selectors", "ledger.journal", "services.lifecycle", "reports.statement",
            "web.views.applications", "api.base"} <= set(modules)
    assert sum(len(targets) for targets in edges.values()) > 100


def test_every_module_imports_only_from_its_layer_or_below():
    _modules, edges = graph()
    upward = [f"{name}:{line} imports {target}" for name, targets in edges.items() for target, line, _ in targets
              if LAYERS[target.split(".")[0]] > LAYERS[name.split(".")[0]]]
    assert upward == []


def test_no_project_module_is_imported_inside_a_function():
    _modules, edges = graph()
    hidden = [f"{name}:{line} imports {target}" for name, targets in edges.items()
              for target, line, inner in targets if inner]
    assert hidden == []


def test_modules_import_each_other_in_no_circle():
    _modules, edges = graph()
    successors = {name: {target for target, _line, _inner in targets if target != name}
                  for name, targets in edges.items()}
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def connect(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in successors.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in successors:
        if node not in index:
            connect(node)
    assert cycles == []
