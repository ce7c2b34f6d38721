# PostgreSQL for docker-compose.yml, from Debian's postgresql package (no official image needed).
#   docker build -f docker/postgres.Dockerfile -t agent-lightning-postgres:latest .
# `make images` builds it on a base that has the package already (RUNTIME_IMAGE=agent-lightning-pgbase).
ARG RUNTIME_IMAGE=debian:bookworm-slim
FROM ${RUNTIME_IMAGE}
COPY docker/runtime-packages.sh /usr/local/bin/lightning-runtime-packages
RUN lightning-runtime-packages postgresql \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql \
 && chmod 0700 /var/lib/postgresql/data
COPY docker/postgres-entrypoint.sh /usr/local/bin/lightning-postgres
USER postgres
ENV PGDATA=/var/lib/postgresql/data POSTGRES_USER=lightning POSTGRES_DB=lightning
EXPOSE 5432
ENTRYPOINT ["lightning-postgres"]
