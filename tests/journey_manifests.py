"""What the kubectl and apply tests share: the journey's step-10 YAML (myapp from a private registry with its
LoadBalancer Service, exactly as the person wrote it) and the type of the ``kubectl`` fixture."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

# The ``kubectl`` fixture of tests/conftest.py: kubectl(*args, kubeconfig=..., input=None).
Kubectl = Callable[..., subprocess.CompletedProcess[str]]

# Verbatim from the journey (not manifests/myapp.yaml, which adds labels and ports): tests derive variants from
# this text by replacing parts of it, and count its lines.
MYAPP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp
spec:
  replicas: 3
  selector:
    matchLabels:
      app: myapp
  template:
    metadata:
      labels:
        app: myapp
    spec:
      containers:
        - name: myapp
          image: registry.example.com/team/myapp:001
      imagePullSecrets:
        - name: my-secret
---
apiVersion: v1
kind: Service
metadata:
  name: myapp-service
spec:
  type: LoadBalancer
  selector:
    app: myapp
  ports:
    - protocol: TCP
      port: 80
      targetPort: 8089
"""
