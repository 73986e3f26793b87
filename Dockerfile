# One image for every app; docker-compose picks the app with `command`.
# The model is not baked in: it is mounted from the host's ./models (run `npm run setup` there first).

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
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip MODELS_DIR=/app/models
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist dist
USER node
CMD ["node", "dist/apps/gateway/src/main.js"]
