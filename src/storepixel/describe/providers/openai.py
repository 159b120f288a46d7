"""OpenAI-compatible servers through the ``openai`` SDK (``pip install 'storepixel[describe]'``):
OpenAI itself, vLLM, Ollama, LM Studio, anything serving Qwen-VL and friends.

Pictures go as ``image_url`` data URLs with ``detail: low``; the answer is asked with a strict
``json_schema`` response format.
"""

from __future__ import annotations

import base64
from typing import Any

from storepixel.describe.providers.base import ProviderError, Reply, Request, status_error


class OpenAIProvider:
    name = "openai"

    def __init__(self, model: str, api_key: str, base_url: str | None, timeout_s: float) -> None:
        try:
            import openai
        except ImportError:
            raise ProviderError(
                "refused",
                "describe.provider openai needs the describe extra: "
                "pip install 'storepixel[describe]'",
                retryable=False,
            ) from None
        self.model = model
        self._openai = openai  # imported once, here: not from several worker threads at once
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=0
        )

    def send(self, request: Request) -> Reply:
        openai = self._openai
        content: list[dict[str, Any]] = [{"type": "text", "text": request.text}]
        for img in request.images:
            url = "data:image/jpeg;base64," + base64.b64encode(img).decode()
            content.append({"type": "image_url", "image_url": {"url": url, "detail": "low"}})
        response_format: Any = {"type": "json_object"}
        if request.schema:
            response_format = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "strict": True,
                    "schema": request.schema,
                },
            }
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": request.system},
                    {"role": "user", "content": content},  # type: ignore[misc,list-item]
                ],
                response_format=response_format,
                temperature=0.2,
            )
        except openai.APITimeoutError:
            raise ProviderError("timeout", "request timed out", retryable=True) from None
        except openai.APIConnectionError as err:
            raise ProviderError(
                "unreachable", f"cannot reach the server: {err}", retryable=True
            ) from None
        except openai.APIStatusError as err:
            raise status_error(err.status_code, err.message, err.response.headers) from None
        usage = response.usage
        text = response.choices[0].message.content if response.choices else None
        return Reply(
            text,
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
        )
