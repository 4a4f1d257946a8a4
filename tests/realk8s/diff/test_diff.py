"""The built-in cluster measured against the real control plane: the differential script, its report, and the
rule that every difference is either fixed or listed with its reason in known_differences.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kubetui.sim.server import SimServer
from kubetui.sim.testing import running_sim_thread
from tests.realk8s.diff import controllers, runner
from tests.realk8s.diff.script import Step, script

pytestmark = [pytest.mark.realk8s, pytest.mark.slow]


@pytest.fixture
def fast_sim() -> Iterator[SimServer]:
    """The built-in cluster five times faster, for the controllers: they are compared by what they do, not when."""
    with running_sim_thread(scenario="empty", nodes=2, speed=5.0) as server:
        yield server


@pytest.fixture
def speed_one_sim() -> Iterator[SimServer]:
    """The built-in cluster at real speed, so its controllers keep the pace of the real ones."""
    with running_sim_thread(scenario="empty", nodes=2, speed=1.0) as server:
        yield server


def test_script_is_long_enough_and_names_are_unique() -> None:
    steps = [s for s in script("ns") if isinstance(s, Step)]
    names = [s.name for s in steps]
    assert len(steps) >= 150
    assert len(set(names)) == len(names)
    categories = {s.category for s in steps}
    assert {"create", "invalid", "patch", "apply", "selectors", "pagination", "watch", "delete"} <= categories


def test_every_known_difference_names_a_step_with_a_reason() -> None:
    names = {s.name for s in script("ns") if isinstance(s, Step)}
    names |= {f"controller/{name}" for name in controllers.SCENARIOS}
    known = runner.load_known()
    assert known, "known_differences.yaml is empty or missing"
    assert set(known) <= names, f"listed steps the script does not have: {sorted(set(known) - names)}"
    assert all(len(reason) > 20 for reason in known.values())


def test_built_in_cluster_matches_the_real_one(realk8s: Any, speed_one_sim: SimServer) -> None:
    report = runner.run(runner.sim_client(speed_one_sim), runner.real_client(realk8s), runner.new_namespace())
    text = report.text(verbose=False)
    print(text)
    assert not report.unlisted, "differences neither fixed nor listed in known_differences.yaml:\n" + text
    assert report.percentage >= runner.TARGET, text


def test_controllers_do_what_the_real_ones_do(realk8s: Any, fast_sim: SimServer) -> None:
    result = controllers.compare(
        runner.sim_client(fast_sim), runner.real_client(realk8s), runner.new_namespace()
    )
    known = runner.load_known()
    unlisted = {name: diff for name, diff in result.items() if diff and f"controller/{name}" not in known}
    assert not unlisted, (
        "controllers that differ and are not listed in known_differences.yaml:\n"
        + "\n".join(f"{name}: {line}" for name, diff in unlisted.items() for line in diff)
    )
