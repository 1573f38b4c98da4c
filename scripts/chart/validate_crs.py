"""Validates the custom resources of rendered manifests against their CRDs.

    validate_crs.py CRD.yaml... -- RENDERED.yaml...

Every document whose apiVersion and kind a given CRD defines is checked
against that version's openAPIV3Schema, made strict as the API server's
structural schema is: an object schema with properties but no
additionalProperties and no x-kubernetes-preserve-unknown-fields rejects
fields it does not name (the API server would prune them, or refuse them
with fieldValidation=Strict, the default of kubectl and Helm 4's
server-side apply). x-kubernetes-int-or-string and nullable are honoured;
CEL rules (x-kubernetes-validations) are not evaluated.

A document of an API group that is neither Kubernetes' own nor a given
CRD's is an error, so nothing goes unchecked. Prints one line per resource
checked; exits 1 on any failure.
"""

import sys

import jsonschema
import yaml

# The groups kubernetes-validate checks (Kubernetes' own).
NATIVE_GROUPS = {"", "apps", "batch", "policy", "networking.k8s.io", "autoscaling", "rbac.authorization.k8s.io"}


def strict(schema):
    """Returns a JSON schema for schema (an OpenAPI v3 structural schema)."""
    if not isinstance(schema, dict):
        return schema
    s = {k: v for k, v in schema.items() if not k.startswith("x-kubernetes-") and k not in ("nullable", "format")}
    if "properties" in s:
        s["properties"] = {k: strict(v) for k, v in s["properties"].items()}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(s.get(key), dict):
            s[key] = strict(s[key])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in s:
            s[key] = [strict(x) for x in s[key]]
    if schema.get("x-kubernetes-int-or-string"):
        s.pop("type", None)
        s.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if schema.get("nullable") and "type" in s:
        s["type"] = [s["type"], "null"]
    if (
        schema.get("type") == "object"
        and "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        s["additionalProperties"] = False
    return s


def load_crds(paths):
    """Maps (apiVersion, kind) to a validator of that version's schema."""
    validators = {}
    for path in paths:
        with open(path) as f:
            for crd in yaml.safe_load_all(f):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                spec = crd["spec"]
                for v in spec["versions"]:
                    schema = strict(v["schema"]["openAPIV3Schema"])
                    # The API server fills these in; a manifest gives the rest of metadata.
                    schema.setdefault("properties", {})["apiVersion"] = {"type": "string"}
                    schema["properties"]["kind"] = {"type": "string"}
                    schema["properties"]["metadata"] = {"type": "object"}
                    validators[(f"{spec['group']}/{v['name']}", spec["names"]["kind"])] = jsonschema.Draft7Validator(schema)
    return validators


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    sep = argv.index("--")
    validators = load_crds(argv[:sep])
    failed = checked = 0
    for path in argv[sep + 1:]:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for doc in docs:
            api, kind = doc.get("apiVersion", ""), doc.get("kind", "")
            name = f"{kind}/{doc.get('metadata', {}).get('name')}"
            group = api.rpartition("/")[0]
            if (api, kind) in validators:
                checked += 1
                errors = sorted(validators[(api, kind)].iter_errors(doc), key=lambda e: list(e.absolute_path))
                for e in errors:
                    where = ".".join(str(p) for p in e.absolute_path) or "(root)"
                    print(f"FAIL {path}: {name} ({api}) at {where}: {e.message}")
                if errors:
                    failed += 1
                else:
                    print(f"ok   {path}: {name} ({api}) against its CRD")
            elif group not in NATIVE_GROUPS:
                failed += 1
                print(f"FAIL {path}: {name}: no CRD given for {api} {kind}, so it cannot be checked")
    print(f"validate_crs: {checked} custom resources checked, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
