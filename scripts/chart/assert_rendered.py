"""Asserts what the chart promises about its rendered manifests.

    assert_rendered.py VALUES.yaml[,VALUES.yaml...] RENDERED.yaml

VALUES are the chart's values.yaml and the value files the manifests were
rendered with (merged in order, as Helm does), so that the expectations
follow the values. Checks, where NetworkPolicies are on:
  - every pod of the release is selected by a NetworkPolicy that lists both
    Ingress and Egress (so all else is denied);
  - the processors' egress is only DNS (53), Kafka (its port, to named
    peers or CIDRs) and the LLM server (its port), never an open rule, and
    a CIDR as wide as 0.0.0.0/0 must except the private and link-local
    (cloud metadata) ranges; their ingress is only 9464 from named peers;
  - the web tier's and the topics job's egress is only DNS and Kafka;
and always:
  - the secrets' values appear nowhere in clear, the pods read them through
    secretKeyRef only, and no ConfigMap exists;
  - the web tier and the topics job run as uid 10001, non-root, read-only
    root, every capability dropped, RuntimeDefault seccomp;
  - the processor is not privileged (unless processor.sandbox.privileged),
    allowPrivilegeEscalation is false, it adds no capability outside the
    runtime's default set, and an unmasked /proc comes with hostUsers: false;
  - readiness and liveness probes every 15 s on both Deployments;
  - with autoscaling, a ScaledObject on the judge queue's depth and no
    replicas field on the processor Deployment; without, the reverse.
Prints each failure; exits 1 if any.
"""

import base64
import ipaddress
import sys

import yaml

RUNTIME_DEFAULT_CAPS = {"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
                        "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"}
MUST_EXCEPT = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16")]

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
    return cond


def merge(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def selects(policy, labels):
    sel = policy["spec"].get("podSelector") or {}
    return all(labels.get(k) == v for k, v in (sel.get("matchLabels") or {}).items()) and not sel.get("matchExpressions")


def ports_of(rule):
    return {(p.get("protocol", "TCP"), p.get("port")) for p in rule.get("ports") or []}


def check_egress(role, policies, allowed_ports, v):
    for pol in policies:
        for i, rule in enumerate(pol["spec"].get("egress") or []):
            where = f"{role}: NetworkPolicy {pol['metadata']['name']} egress rule {i}"
            check(rule.get("to"), f"{where} has no 'to': it allows every destination")
            ports = ports_of(rule)
            check(ports, f"{where} has no ports: it allows every port")
            check(ports <= allowed_ports, f"{where} allows ports {sorted(ports - allowed_ports, key=str)} beyond {sorted(allowed_ports, key=str)}")
            for peer in rule.get("to") or []:
                check(peer, f"{where} has an empty peer: it matches everything")
                block = peer.get("ipBlock")
                if block:
                    net = ipaddress.ip_network(block["cidr"], strict=False)
                    if net.prefixlen < 8:
                        excepted = [ipaddress.ip_network(e, strict=False) for e in block.get("except") or []]
                        for private in MUST_EXCEPT:
                            check(any(private.subnet_of(e) for e in excepted if e.version == private.version),
                                  f"{where} opens {block['cidr']} without excepting {private}")
                        check(ports <= {("TCP", v["review"]["networkPolicy"]["port"])},
                              f"{where} opens {block['cidr']} on ports other than the LLM server's")


def main(values_arg, rendered):
    v = {}
    for path in values_arg.split(","):
        with open(path) as f:
            v = merge(v, yaml.safe_load(f) or {})
    with open(rendered) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    text = open(rendered).read()
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    deployments = {d["metadata"]["labels"]["app.kubernetes.io/component"]: d for d in by_kind.get("Deployment", [])}
    jobs = {d["metadata"]["labels"]["app.kubernetes.io/component"]: d for d in by_kind.get("Job", [])}
    pods = {**{r: d["spec"]["template"] for r, d in deployments.items()}, **{r: d["spec"]["template"] for r, d in jobs.items()}}
    check(set(pods) == {"web", "processor", "topics"}, f"expected web, processor and topics pods, got {sorted(pods)}")

    # Secrets: never in clear, never a literal env value, no ConfigMap.
    check("ConfigMap" not in by_kind, "a ConfigMap is rendered")
    for secret in (v["auth"].get("jwtSecret"), v["review"].get("apiKey")):
        if secret:
            check(secret not in text, "a secret's value appears in clear in the rendered manifests")
            b64 = base64.b64encode(secret.encode()).decode()
            holders = [d["kind"] for d in docs if b64 in yaml.safe_dump(d)]
            check(holders == ["Secret"], f"a secret's value is held by {holders}, not by one Secret")
    for role, pod in pods.items():
        for c in pod["spec"]["containers"]:
            for e in c.get("env") or []:
                if e["name"] in ("CODEMENTOR_JWT_SECRET", "OPENAI_API_KEY"):
                    check("value" not in e and "secretKeyRef" in e.get("valueFrom", {}),
                          f"{role}: {e['name']} is not read through secretKeyRef")

    # Security contexts.
    for role in ("web", "topics"):
        spec = pods[role]["spec"]
        psc, csc = spec.get("securityContext") or {}, spec["containers"][0].get("securityContext") or {}
        check(psc.get("runAsUser") == 10001 and psc.get("runAsNonRoot") is True, f"{role}: not uid 10001, non-root")
        check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{role}: seccomp is not RuntimeDefault")
        check(csc.get("readOnlyRootFilesystem") is True, f"{role}: root filesystem is writable")
        check(csc.get("allowPrivilegeEscalation") is False, f"{role}: allowPrivilegeEscalation is not false")
        check(csc.get("capabilities", {}).get("drop") == ["ALL"] and not csc.get("capabilities", {}).get("add"),
              f"{role}: capabilities are not all dropped")
    proc = pods["processor"]["spec"]
    csc = proc["containers"][0].get("securityContext") or {}
    if v["processor"]["sandbox"]["privileged"]:
        check(csc.get("privileged") is True, "processor: sandbox.privileged but the container is not")
    else:
        check(csc.get("privileged") is False, "processor: privileged")
        check(csc.get("allowPrivilegeEscalation") is False, "processor: allowPrivilegeEscalation is not false")
        caps = csc.get("capabilities") or {}
        check(caps.get("drop") == ["ALL"], "processor: capabilities are not dropped first")
        check(set(caps.get("add") or []) <= RUNTIME_DEFAULT_CAPS,
              f"processor: adds capabilities beyond the runtime's default set: {sorted(set(caps.get('add') or []) - RUNTIME_DEFAULT_CAPS)}")
        if csc.get("procMount") == "Unmasked":
            check(proc.get("hostUsers") is False, "processor: procMount Unmasked without hostUsers: false")
    for role in ("web", "processor"):
        c = pods[role]["spec"]["containers"][0]
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            check(probe in c, f"{role}: no {probe}")
        for probe in ("readinessProbe", "livenessProbe"):
            check(c.get(probe, {}).get("periodSeconds") == 15, f"{role}: {probe} is not every 15 s")
        check(c.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", f"{role}: readiness is not /readyz")
        check(c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", f"{role}: liveness is not /healthz")

    # Autoscaling.
    a = v["processor"]["autoscaling"]
    scaled = by_kind.get("ScaledObject", [])
    if a["enabled"]:
        check(len(scaled) == 1, f"autoscaling on: expected one ScaledObject, got {len(scaled)}")
        check("replicas" not in deployments["processor"]["spec"], "autoscaling on: the processor Deployment sets replicas")
        for so in scaled:
            trig = so["spec"]["triggers"][0]
            check(trig["type"] == "prometheus" and trig.get("metricType") == "AverageValue", "ScaledObject: not a prometheus AverageValue trigger")
            check('codementor_queue_depth{group="judge"' in trig["metadata"]["query"], "ScaledObject: does not query the judge queue's depth")
            check(trig["metadata"]["threshold"] == str(a["queueDepthPerReplica"]), "ScaledObject: threshold is not queueDepthPerReplica")
            check(so["spec"]["scaleTargetRef"]["name"] == deployments["processor"]["metadata"]["name"], "ScaledObject: wrong target")
    else:
        check(not scaled, "autoscaling off: a ScaledObject is rendered")
        check(deployments["processor"]["spec"].get("replicas") == v["processor"]["replicas"], "autoscaling off: replicas not set")

    # NetworkPolicies.
    if v["networkPolicy"]["enabled"]:
        policies = by_kind.get("NetworkPolicy", [])
        kafka_port = ("TCP", v["kafka"]["networkPolicy"]["port"])
        dns = {("UDP", 53), ("TCP", 53)}
        for role, pod in pods.items():
            mine = [p for p in policies if selects(p, pod["metadata"]["labels"])]
            check(any({"Ingress", "Egress"} <= set(p["spec"].get("policyTypes", [])) for p in mine),
                  f"{role}: no NetworkPolicy restricts both its ingress and egress")
            allowed = dns | {kafka_port}
            if role == "processor":
                allowed = allowed | {("TCP", v["review"]["networkPolicy"]["port"])}
            check_egress(role, mine, allowed, v)
            for pol in mine:
                for rule in pol["spec"].get("ingress") or []:
                    where = f"{role}: NetworkPolicy {pol['metadata']['name']} ingress"
                    if role == "processor":
                        check(rule.get("from") and ports_of(rule) == {("TCP", 9464)}, f"{where} is not only 9464 from named peers")
                    elif role == "web":
                        check(ports_of(rule) == {("TCP", 8080)}, f"{where} is not only 8080")
                    else:
                        check(False, f"{where}: the topics job takes no connection")
    for f in failures:
        print(f"FAIL {rendered}: {f}")
    print(f"assert_rendered: {rendered}: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
