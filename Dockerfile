# One image for every app; docker-compose (or Kubernetes) picks the app with its command:
#   node dist/apps/gateway/src/main.js | dist/apps/prefill-worker/src/main.js | dist/apps/decode-worker/src/main.js
# The model is not baked in: it is mounted at /app/models (run `npm run setup` on the host first).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# The CPU binaries ship inside onnxruntime-node; its install script would try to fetch CUDA ones.
ENV ONNXRUNTIME_NODE_INSTALL=skip NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY apps apps
COPY libs libs
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip NODE_LLAMA_CPP_SKIP_DOWNLOAD=true MODELS_DIR=/app/models
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist dist
USER node
# 3000: the gateway's HTTP API; 9464: a worker's /metrics and /health when METRICS_PORT=9464.
EXPOSE 3000 9464
CMD ["node", "dist/apps/gateway/src/main.js"]
