# The vmshift worker image: the CLI and @vmshift/restate from npm, serving the wave handlers.
#   docker build -f deploy/restate/worker.Dockerfile --build-arg VMSHIFT_VERSION=0.1.0 -t vmshift-worker:0.1.0 .
# Workers are stateless: no volume, any number of replicas, killable at any time.
FROM node:24-slim
ARG VMSHIFT_VERSION=latest
RUN npm install --global --no-audit --no-fund "@vmshift/cli@${VMSHIFT_VERSION}" "@vmshift/restate@${VMSHIFT_VERSION}" \
 && npm cache clean --force
USER node
EXPOSE 9080
# Profiles come from /etc/vmshift/config.yaml (a ConfigMap), their secrets from files (a Secret).
ENTRYPOINT ["vmshift", "plan", "worker", "--host", "0.0.0.0", "--port", "9080", "--config", "/etc/vmshift/config.yaml"]
