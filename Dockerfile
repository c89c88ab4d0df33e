# One image for every app process: the API (default), the Temporal worker
# (`npm run worker`) and the one-shot migration (`npm run migrate`).
# The TypeScript runs directly through tsx; there is no build step.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so the layer is cached until the lockfile changes.
# Installed as root and left root-owned: the app, running as `node`, cannot
# modify its own code or node_modules.
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force

COPY . .

# Set after `npm ci`: NODE_ENV=production during the install would skip devDependencies.
ENV NODE_ENV=production

USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
