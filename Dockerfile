# newsbot Telegram bot on the CPU. Build: docker build -t newsbot .   Run: see README ("Telegram bot").
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWSBOT_DATA_DIR=/data HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False

# The CPU build of torch first, from PyTorch's CPU wheel index: a plain `pip install torch` pulls CUDA (GBs).
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN pip install "torch==2.13.0" --index-url "$TORCH_INDEX"

WORKDIR /app
COPY pyproject.toml README.md ./
COPY retrieval ./retrieval
COPY bot ./bot
COPY prompts ./prompts
COPY seeds ./seeds
RUN pip install ".[telegram]" && useradd --create-home --uid 1000 newsbot && mkdir -p /data && chown newsbot /data

USER newsbot
VOLUME /data
# 8443 is used only in webhook mode
EXPOSE 8443
ENTRYPOINT ["newsbot"]
CMD ["bot"]
