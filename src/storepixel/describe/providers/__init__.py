"""Vision-language model providers behind one interface (``base.Provider``).

>>> make_provider(DescribeConfig(provider="none"))
Traceback (most recent call last):
...
storepixel.errors.ConfigError: describe.provider is none: nothing to describe with
"""

from __future__ import annotations

import os
import threading

from storepixel.config.describe import DescribeConfig
from storepixel.describe.providers.base import Provider, ProviderError, Reply, Request
from storepixel.errors import ConfigError

__all__ = ["Provider", "ProviderError", "Reply", "Request", "api_key", "make_provider"]

_IMPORTING = threading.Lock()  # SDKs are imported by whichever describe worker comes first


def api_key(config: DescribeConfig) -> str:
    """The key from the configured environment variable; ``ConfigError`` naming it if unset."""
    key = os.environ.get(config.key_env, "").strip()
    if not key:
        raise ConfigError(
            f"describe: the API key variable {config.key_env} is not set "
            f"(provider {config.provider}; set describe.api_key_env to use another variable)"
        )
    return key


def make_provider(config: DescribeConfig) -> Provider:
    """The provider the configuration names. The key is read here and kept only by the SDK
    client: it never reaches a log or an error message."""
    if not config.enabled:
        raise ConfigError("describe.provider is none: nothing to describe with")
    key = api_key(config)
    try:
        with _IMPORTING:
            if config.provider == "gemini":
                from storepixel.describe.providers.gemini import GeminiProvider

                return GeminiProvider(config.model_name, key, config.base_url, config.timeout_s)
            from storepixel.describe.providers.openai import OpenAIProvider

            return OpenAIProvider(config.model_name, key, config.base_url, config.timeout_s)
    except ProviderError as err:
        raise ConfigError(err.reason) from None
