#!/bin/bash
# Boots one API instance: Docker, the image from ECR, env from SSM Parameter Store and
# Secrets Manager, and a systemd unit so a stop gives the API its drain time.
# Static text (no Terraform references): values only known after apply, such as the
# database host, are read from SSM at boot. Plain $NAME only, never dollar-brace.
set -euo pipefail
exec > >(tee -a /var/log/tracker-boot.log | logger -t tracker-boot) 2>&1

REGION='@@REGION@@'
IMAGE_TAG='@@IMAGE_TAG@@'
BOOT_PARAMETERS='@@BOOT_PARAMETERS@@'
ENV_PARAMETERS='@@ENV_PARAMETERS@@'
SECRET_ID='@@SECRET_ID@@'
LOG_GROUP='@@LOG_GROUP@@'
DB_PORT='@@DB_PORT@@'
DB_NAME='@@DB_NAME@@'
DB_USER='@@DB_USER@@'
APP_PORT='@@APP_PORT@@'
METRICS_PORT='@@METRICS_PORT@@'
AGENT_CONFIG='@@AGENT_CONFIG@@'
STOP_TIMEOUT='@@STOP_TIMEOUT@@'

dnf install -y -q docker jq amazon-cloudwatch-agent
systemctl enable --now docker

imds_token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
instance_id=$(curl -fsS -H "X-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/instance-id)

install -d -m 0755 /etc/tracker
# RDS certificates chain to Amazon RDS's own CAs, which Node does not trust by default;
# with this bundle the API can use sslmode=verify-full.
curl -fsS --retry 5 -o /etc/tracker/rds-ca.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem

boot_parameter() {
  aws ssm get-parameter --region "$REGION" --name "$BOOT_PARAMETERS/$1" --query Parameter.Value --output text
}
IMAGE="$(boot_parameter REPOSITORY_URL):$IMAGE_TAG"
DB_HOST=$(boot_parameter DB_HOST)

secret=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$SECRET_ID" --query SecretString --output text)
db_password=$(printf '%s' "$secret" | jq -er '.DATABASE_PASSWORD | @uri')
jwt_secret=$(printf '%s' "$secret" | jq -er '.JWT_SECRET')

umask 077
{
  aws ssm get-parameters --region "$REGION" --names $ENV_PARAMETERS \
    --query 'Parameters[].[Name,Value]' --output text |
    while IFS=$'\t' read -r name value; do printf '%s=%s\n' "$(basename "$name")" "$value"; done
  printf 'DATABASE_URL=postgresql://%s:%s@%s:%s/%s?sslmode=verify-full\n' "$DB_USER" "$db_password" "$DB_HOST" "$DB_PORT" "$DB_NAME"
  printf 'JWT_SECRET=%s\n' "$jwt_secret"
  printf 'NODE_EXTRA_CA_CERTS=/etc/tracker/rds-ca.pem\n'
} > /etc/tracker/app.env
umask 022

# The CloudWatch agent scrapes /metrics on the loopback-only METRICS_PORT (never on APP_PORT,
# which the load balancer forwards) and reports host memory and disk.
cat > /etc/tracker/prometheus.yaml <<PROMETHEUS
global:
  scrape_interval: 60s
  scrape_timeout: 10s
scrape_configs:
  - job_name: tracker-api
    static_configs:
      - targets: ['127.0.0.1:$METRICS_PORT']
PROMETHEUS
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c "ssm:$AGENT_CONFIG"

registry=$(printf '%s' "$IMAGE" | cut -d/ -f1)
aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$registry"
for attempt in 1 2 3 4 5; do
  docker pull --quiet "$IMAGE" && break
  echo "pull attempt $attempt failed; retrying"
  sleep 10
done
docker image inspect "$IMAGE" > /dev/null

# systemd stops this unit before Docker, and waits for the container's own stop timeout,
# which is longer than the API's drain plus its in-flight requests.
cat > /etc/systemd/system/tracker.service <<UNIT
[Unit]
Description=Tracker API container
After=docker.service
Requires=docker.service

[Service]
Restart=always
RestartSec=5
ExecStartPre=-/usr/bin/docker rm -f tracker
ExecStart=/usr/bin/docker run --name tracker --rm --env-file /etc/tracker/app.env --publish $APP_PORT:$APP_PORT --publish 127.0.0.1:$METRICS_PORT:$METRICS_PORT --stop-timeout $STOP_TIMEOUT --volume /etc/tracker/rds-ca.pem:/etc/tracker/rds-ca.pem:ro --log-driver awslogs --log-opt awslogs-region=$REGION --log-opt awslogs-group=$LOG_GROUP --log-opt awslogs-stream=$instance_id $IMAGE
ExecStop=/usr/bin/docker stop --time $STOP_TIMEOUT tracker
TimeoutStopSec=$((STOP_TIMEOUT + 15))

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now tracker.service
