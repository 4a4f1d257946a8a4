"""The registry of kinds and the label selector semantics shared by the client and the built-in cluster."""

from __future__ import annotations

import pytest

from kubetui import actions, kinds
from kubetui.cluster import resources, watch
from kubetui.kinds import labels
from kubetui.sim.controllers import base
from kubetui.sim.selectors import parse_label_selector


def test_nil_selector_selects_nothing_and_empty_selects_everything() -> None:
    # metav1.LabelSelectorAsSelector: nil → labels.Nothing(), {} → labels.Everything()
    assert not labels.selector_matches(None, {"app": "web"})
    assert labels.selector_matches({}, {"app": "web"})
    assert labels.selector_matches({"matchLabels": {"app": "web"}}, {"app": "web", "x": "y"})
    assert not labels.selector_matches({"matchLabels": {"app": "web"}}, {})
    expr = {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}
    assert labels.selector_matches(expr, {})  # NotIn matches objects without the key
    assert not labels.selector_matches({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}, {"a": "1"})
    # the built-in cluster's controllers use the very same function
    assert base.selector_matches is labels.selector_matches


def test_selector_parsing_is_shared_and_reports_the_apiserver_message() -> None:
    reqs = labels.parse("app=web,tier in (a, b),!canary,env!=prod")
    assert [(r.key, r.op, r.values) for r in reqs] == [
        ("app", "=", ("web",)),
        ("tier", "in", ("a", "b")),
        ("canary", "!", ()),
        ("env", "!=", ("prod",)),
    ]
    with pytest.raises(labels.SelectorError, match="unable to parse requirement"):
        labels.parse("a=b,,c")
    # The built-in cluster words it as kube-apiserver's parser does (the differential script checks that).
    with pytest.raises(Exception, match="found ',', expected: identifier after ','") as caught:
        parse_label_selector("a=b,,c")
    assert getattr(caught.value, "code", None) == 400


def test_selector_string_orders_requirements_as_kubectl_prints_them() -> None:
    selector = {
        "matchLabels": {"b": "2", "a": "1"},
        "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]}],
    }
    assert labels.selector_string(selector) == "a=1,b=2,c in (x,y)"
    assert labels.selector_string(None) == ""


def test_every_fact_comes_from_the_registry() -> None:
    for spec in kinds.KINDS:
        assert resources.resource_for(spec.plural).prefix == spec.prefix
        for name in spec.names:
            assert kinds.lookup(name) is spec, name
        assert watch.KIND_INFO[spec.plural].namespaced == spec.namespaced
    assert kinds.lookup("sts").plural == "statefulsets"
    assert kinds.lookup("deployments.apps").plural == "deployments"
    assert kinds.lookup("Ingress").group == "networking.k8s.io"
    assert "nodes" not in kinds.NAMESPACED and "pods" in kinds.NAMESPACED
    assert actions.BY_ID["scale"].kinds == {"deployments", "replicasets", "statefulsets"}
    assert actions.BY_ID["delete"].applies_to("pods") and not actions.BY_ID["delete"].applies_to("nodes")
    # the main screen's views redraw on the kinds the registry says feed them
    assert kinds.feeding(kinds.VIEW_TRAFFIC) == {"services", "endpointslices", "pods", "nodes"}
    assert kinds.feeding(kinds.VIEW_REVISIONS) == {"deployments", "replicasets"}
