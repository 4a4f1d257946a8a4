"""A CRD created with kubectl, its custom resources listed by kubectl and browsed by their plural in kubetui,
with the CRD's printer columns."""

from __future__ import annotations

from pathlib import Path

from kubetui.app import KubeApp
from kubetui.screens.kind_list import KindListScreen
from kubetui.screens.main import MainScreen
from kubetui.session import SessionConfig
from tests.cluster.simhelp import kubectl
from tests.ui.conftest import Journey
from tests.ui.helpers import wait_for

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Image, type: string, jsonPath: .spec.image, priority: 1}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
"""
CRONTAB = """
apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: nightly, namespace: default}
spec: {cronSpec: "*/5 * * * *", replicas: 2, image: my-cron-image}
"""


def _columns(stdout: str) -> list[str]:
    header = stdout.splitlines()[0]
    return [c for c in header.split("  ") if c.strip()]


async def test_a_crd_created_with_kubectl_is_browsed_by_its_plural(journey: Journey, tmp_path: Path) -> None:
    kubeconfig = journey.kubeconfig
    created = await kubectl(kubeconfig, "apply", "-f", "-", input=CRD)
    assert created.returncode == 0, created.stderr
    created = await kubectl(kubeconfig, "apply", "-f", "-", input=CRONTAB)
    assert created.returncode == 0, created.stderr
    listed = await kubectl(kubeconfig, "get", "crontabs")
    assert listed.returncode == 0, listed.stderr
    assert [c.strip() for c in _columns(listed.stdout)] == ["NAME", "SPEC", "REPLICAS", "AGE"]
    line = listed.stdout.splitlines()[1].split()
    assert line[:6] == ["nightly", "*/5", "*", "*", "*", "*"] and line[6] == "2"
    assert (await kubectl(kubeconfig, "get", "ct", "-o", "wide")).stdout.splitlines()[1].split()[
        7
    ] == "my-cron-image"
    crds = await kubectl(kubeconfig, "get", "crd")
    assert "crontabs.stable.example.com" in crds.stdout

    app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig), namespace="default"))
    async with app.run_test(size=(140, 40)) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        await wait_for(pilot, lambda: main.table("pods").row_count >= 1)
        main.run_command("crontabs")
        screen = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, KindListScreen) and app.screen.ready else None
        )
        await wait_for(pilot, lambda: screen.table.row_count == 1)
        assert screen.table.column_names == ("NAME", "SPEC", "REPLICAS", "AGE")
        (uid,) = screen.table.ordered_uids()
        assert screen.table.get_row(uid)[:3] == ("nightly", "*/5 * * * *", "2")
        # a new custom resource shows up live
        more = CRONTAB.replace("nightly", "hourly").replace("*/5", "0")
        assert (await kubectl(kubeconfig, "apply", "-f", "-", input=more)).returncode == 0
        await wait_for(pilot, lambda: screen.table.row_count == 2)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        main.run_command("crd")
        crd_list = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, KindListScreen) and app.screen.ready else None
        )
        await wait_for(pilot, lambda: crd_list.table.row_count == 1)
        assert crd_list.table.column_names == ("NAME", "CREATED AT")


async def test_custom_resources_survive_a_restart_of_the_built_in_cluster(tmp_path: Path) -> None:
    from kubetui.sim.server import SimServer
    from tests.cluster.simhelp import open_connection

    async with SimServer(scenario="empty", nodes=1, speed=50.0, state=tmp_path / "state.json") as sim:
        kubeconfig = sim.write_kubeconfig(tmp_path / "kc")
        assert (await kubectl(kubeconfig, "apply", "-f", "-", input=CRD)).returncode == 0
        assert (await kubectl(kubeconfig, "apply", "-f", "-", input=CRONTAB)).returncode == 0
        await sim.restart()
        conn = await open_connection(kubeconfig)
        try:
            got = await conn.request("GET", "/apis/stable.example.com/v1/namespaces/default/crontabs/nightly")
            assert got["spec"]["replicas"] == 2
        finally:
            await conn.close()
