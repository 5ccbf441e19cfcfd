# Body of the SSM Run Command document that migrates the database once per deploy, run on
# the throwaway migrator instance (never on the API instances, which cannot read the
# owner's password). SSM substitutes the ImageTag parameter, already checked by its pattern.
# POSIX sh: the SSM agent runs it with /bin/sh. No dollar-brace: Terraform would expand it.
set -eu

IMAGE='@@REPOSITORY_URL@@:{{ ImageTag }}'
REGION='@@REGION@@'
APP_DB_USER='@@APP_DB_USER@@'

cloud-init status --wait > /dev/null 2>&1 || true
dnf install -y -q docker jq postgresql16 > /dev/null
systemctl start docker

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
chmod 0700 "$workdir"
curl -fsS --retry 5 -o "$workdir/rds-ca.pem" https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem

master=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id '@@MASTER_SECRET_ARN@@' --query SecretString --output text)
app=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id '@@APP_SECRET_ARN@@' --query SecretString --output text)

export PGHOST='@@DB_HOST@@' PGPORT='@@DB_PORT@@' PGDATABASE='@@DB_NAME@@'
export PGSSLMODE=verify-full PGSSLROOTCERT="$workdir/rds-ca.pem"
PGUSER=$(printf '%s' "$master" | jq -er .username)
PGPASSWORD=$(printf '%s' "$master" | jq -er .password)
APP_DB_PASSWORD=$(printf '%s' "$app" | jq -er .DATABASE_PASSWORD)
export PGUSER PGPASSWORD APP_DB_PASSWORD

# The owner's URL goes to the container through a 0600 file, not the command line.
user_enc=$(jq -rn --arg v "$PGUSER" '$v | @uri')
password_enc=$(jq -rn --arg v "$PGPASSWORD" '$v | @uri')
{
  echo 'NODE_ENV=production'
  echo "MIGRATION_DATABASE_URL=postgresql://$user_enc:$password_enc@$PGHOST:$PGPORT/$PGDATABASE?sslmode=verify-full"
  echo 'NODE_EXTRA_CA_CERTS=/etc/tracker/rds-ca.pem'
} > "$workdir/migrate.env"
chmod 0600 "$workdir/migrate.env"

registry=$(printf '%s' "$IMAGE" | cut -d/ -f1)
aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$registry" > /dev/null
docker pull --quiet "$IMAGE"

echo "Running db:migrate from $IMAGE"
docker run --rm --env-file "$workdir/migrate.env" \
  --volume "$workdir/rds-ca.pem:/etc/tracker/rds-ca.pem:ro" \
  --entrypoint npm "$IMAGE" run db:migrate
echo "Migrations applied"

# The migrations define the API's role (tracker_app: no ownership, no BYPASSRLS); only its
# login password lives outside them, in the app secret, so it is set here after every run.
if [ "$(psql -X -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$APP_DB_USER'")" != 1 ]; then
  echo "The migrations did not create the role $APP_DB_USER" >&2
  exit 1
fi
echo "Setting the login password of $APP_DB_USER"
psql -X -q -v ON_ERROR_STOP=1 -v app_user="$APP_DB_USER" <<'SQL'
\getenv app_password APP_DB_PASSWORD
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'app_user', :'app_password') \gexec
SQL
echo "Done"
