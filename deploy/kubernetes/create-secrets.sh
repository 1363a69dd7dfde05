#!/usr/bin/env bash
# Creates every Secret deploy/kubernetes expects, with new random values, in namespace interim-platform (or $1).
# Nothing secret is committed: run this once per installation, before `kubectl apply -k deploy/kubernetes/overlays/…`.
# It never overwrites a Secret that exists (delete it first to rotate). Needs kubectl and openssl.
# Prints the bootstrap admin API key once: keep it (docs/gateway.md); the cluster holds only its hash.
# With an external PostgreSQL server, set POSTGRES_HOST (and create the roles and databases there: docs/deploy.md).
set -euo pipefail
ns="${1:-interim-platform}"
postgres_host="${POSTGRES_HOST:-interim-postgres-rw}"
rabbitmq_host="${RABBITMQ_HOST:-interim-rabbitmq}"
partners=(${PARTNERS:-globalise nordic-interim})

kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns"
random() { openssl rand -hex "${1:-24}"; }
exists() { kubectl -n "$ns" get secret "$1" >/dev/null 2>&1; }
create() { # name, then kubectl create secret arguments
  local name="$1"; shift
  if exists "$name"; then echo "secret/$name exists: kept"; else kubectl -n "$ns" create secret "$@"; fi
}

# Each service's database owner (CloudNativePG managed roles) and the connection string the service reads.
for service in candidates engagements matching gateway; do
  password=$(random)
  if ! exists "${service}db-owner"; then
    create "${service}db-owner" generic "${service}db-owner" --type=kubernetes.io/basic-auth \
      --from-literal=username="${service}_owner" --from-literal=password="$password"
    kubectl -n "$ns" label secret "${service}db-owner" cnpg.io/reload=true >/dev/null
    create "${service}db" generic "${service}db" \
      --from-literal=value="Host=${postgres_host};Port=5432;Database=${service};Username=${service}_owner;Password=${password}"
  else
    echo "secret/${service}db-owner exists: kept (and ${service}db with it)"
  fi
done

# Each domain service's broker user (Messaging Topology Operator User) and its AMQP URI.
for service in candidates engagements matching; do
  password=$(random)
  if ! exists "messaging-${service}-credentials"; then
    create "messaging-${service}-credentials" generic "messaging-${service}-credentials" \
      --from-literal=username="service.${service}" --from-literal=password="$password"
    create "messaging-${service}" generic "messaging-${service}" \
      --from-literal=value="amqp://service.${service}:${password}@${rabbitmq_host}:5672"
  else
    echo "secret/messaging-${service}-credentials exists: kept (and messaging-${service} with it)"
  fi
done

# Each partner network's broker user: hand the password to the partner (docs/partners.md).
for partner in "${partners[@]}"; do
  create "partner-${partner}-credentials" generic "partner-${partner}-credentials" \
    --from-literal=username="${partner}" --from-literal=password="$(random)"
done

# The gateway's token signing key (shared with every service) and the first admin key's hash.
create gateway-signing-key generic gateway-signing-key --from-literal=value="$(openssl rand -base64 48 | tr -d '\n')"
if ! exists gateway-bootstrap-admin-key; then
  id="bootstrapadmin"
  key="ipk.${id}.$(random 30)"
  hash=$(printf '%s' "$key" | openssl dgst -sha256 -r | cut -d' ' -f1)
  create gateway-bootstrap-admin-key generic gateway-bootstrap-admin-key --from-literal=value="${id}:${hash}"
  echo "Bootstrap admin API key (shown once; the cluster keeps only its hash): $key"
else
  echo "secret/gateway-bootstrap-admin-key exists: kept"
fi
