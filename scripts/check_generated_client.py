"""Generates a Python client from the OpenAPI document with openapi-python-client and fails unless
the client is whole: the generator warned about nothing (it drops a schema it cannot read, and
with it every operation and schema using it, and only warns), every operation has its function,
every object and enum schema its class, no list item was copied into a class of its own, and every
schema example reads into its class.

Run with the python of the venv scripts/generators.sh installs: python check_generated_client.py SPEC OUT
"""

import importlib
import json
import subprocess
import sys
from pathlib import Path

from openapi_python_client.strings import ClassName, snake_case

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


def main(spec_path: str, out: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    out_dir = Path(out)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    config = out_dir.parent / "openapi-python-client.yaml"
    # No formatter run afterwards: ruff is not installed, and the generator warns about that.
    config.write_text("post_hooks: []\n", encoding="utf-8")
    generator = Path(sys.executable).parent / "openapi-python-client"
    run = subprocess.run(
        [str(generator), "generate", "--path", spec_path, "--output-path", str(out_dir), "--meta", "none",
         "--config", str(config), "--fail-on-warning"],
        capture_output=True, text=True, check=False)
    log = run.stdout + run.stderr
    problems = []
    if run.returncode != 0 or any(word in log for word in ("WARNING", "Warning", "Unable to", "Error")):
        problems.append(f"openapi-python-client did not take the document cleanly (exit {run.returncode}):\n{log}")
    if not (out_dir / "models").is_dir():
        return report(problems)

    sys.path.insert(0, str(out_dir.parent))
    package = out_dir.name
    models = importlib.import_module(f"{package}.models")
    classes = set(models.__all__)

    operations = {snake_case(op["operationId"]): f"{method.upper()} {path}"
                  for path, item in spec["paths"].items()
                  for method, op in item.items() if method in METHODS}
    functions = {}
    for module in sorted((out_dir / "api").rglob("*.py")):
        if module.name != "__init__.py":
            functions[module.stem] = importlib.import_module(
                ".".join((package, *module.relative_to(out_dir).with_suffix("").parts)))
    for name, operation in sorted(operations.items()):
        if name not in functions or not hasattr(functions[name], "sync_detailed"):
            problems.append(f"{operation} ({name}) has no function in the client")

    schemas = spec.get("components", {}).get("schemas", {})
    named = {ClassName(name, ""): name for name in schemas}
    for class_name, name in sorted(named.items()):
        schema = schemas[name]
        makes_class = "enum" in schema or (schema.get("type") == "object" and "properties" in schema)
        if makes_class and class_name not in classes:
            problems.append(f"schema {name} has no class {class_name} in the client")
    copies = sorted(c for c in classes - set(named) if c.endswith("Item"))
    if copies:
        problems.append("list items copied into classes of their own (make the items a $ref to a named schema): "
                        + ", ".join(copies))

    for class_name, name in sorted(named.items()):
        example = schemas[name].get("example")
        if class_name in classes and isinstance(example, dict):
            try:
                getattr(models, class_name).from_dict(example)
            except Exception as error:  # any failure to read the document's own example is the finding
                problems.append(f"the example of {name} does not read into {class_name}: {error!r}")

    if not problems:
        print(f"openapi-python-client: {len(operations)} operations, {len(classes)} classes, no warning")
    return report(problems)


def report(problems: list[str]) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
