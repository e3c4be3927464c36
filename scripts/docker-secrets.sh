#!/usr/bin/env bash
# Creates the secret files docker-compose.yml expects, once each, in
# ${CANSD_DOCKER_SECRETS:-var/docker-secrets} (var/ is not committed):
#   pg_superuser_password  pg_app_password  admin_password  jwt_signing_key
# Prints the admin password when it generates it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=${CANSD_DOCKER_SECRETS:-var/docker-secrets}
umask 077
mkdir -p "$dir"
for name in pg_superuser_password pg_app_password; do
	[ -s "$dir/$name" ] || openssl rand -hex 24 >"$dir/$name"
done
if [ ! -s "$dir/admin_password" ]; then
	if [ -n "${CANSD_ADMIN_PASSWORD:-}" ]; then
		printf '%s' "$CANSD_ADMIN_PASSWORD" >"$dir/admin_password"
	else
		openssl rand -base64 18 | tr '+/' '-_' | tr -d '\n' >"$dir/admin_password"
		echo "admin password (also in $dir/admin_password): $(cat "$dir/admin_password")"
	fi
fi
if [ ! -s "$dir/jwt_signing_key" ]; then
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/jwt_signing_key" 2>/dev/null
fi
# The containers read these as other users (postgres, root before dropping to
# cansd): readable, but only inside this 0700 directory.
chmod 700 "$dir"
chmod 644 "$dir"/*
echo "secrets in $dir"
