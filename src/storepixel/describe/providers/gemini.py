"""Gemini through the ``google-genai`` SDK (``pip install 'storepixel[describe]'``).

Pictures go as inline JPEG parts, or as one inline H.264 MP4 clip sampled at ``video_fps``, at
the LOW media resolution (the reference design's ~66 tokens a frame); the answer is asked as JSON
matching the response schema.
"""

from __future__ import annotations

from typing import Any

from storepixel.describe.providers.base import ProviderError, Reply, Request, status_error


class GeminiProvider:
    name = "gemini"

    def __init__(self, model: str, api_key: str, base_url: str | None, timeout_s: float) -> None:
        try:
            from google import genai
            from google.genai import errors, types
        except ImportError:
            raise ProviderError(
                "refused",
                "describe.provider gemini needs the describe extra: "
                "pip install 'storepixel[describe]'",
                retryable=False,
            ) from None
        self.model = model
        self._types = types
        self._errors = errors
        # Imported here, once: SDK modules imported lazily from several worker threads at
        # once can be seen half-initialised.
        self._timeouts, self._transport = _http_errors()
        options = types.HttpOptions(timeout=int(timeout_s * 1000))
        if base_url:
            options = types.HttpOptions(base_url=base_url, timeout=int(timeout_s * 1000))
        self._client = genai.Client(api_key=api_key, http_options=options)

    def send(self, request: Request) -> Reply:
        errors, timeouts, transport = self._errors, self._timeouts, self._transport
        types = self._types
        parts: list[Any] = [types.Part.from_text(text=request.text)]
        parts += [types.Part.from_bytes(data=img, mime_type="image/jpeg") for img in request.images]
        if request.video is not None:
            parts.append(
                types.Part(
                    inline_data=types.Blob(data=request.video, mime_type="video/mp4"),
                    video_metadata=types.VideoMetadata(fps=request.video_fps),
                )
            )
        config = types.GenerateContentConfig(
            system_instruction=request.system,
            response_mime_type="application/json",
            response_json_schema=request.schema or None,
            media_resolution=types.MediaResolution.MEDIA_RESOLUTION_LOW,
            temperature=0.2,
        )
        try:
            response = self._client.models.generate_content(
                model=self.model, contents=[types.Content(role="user", parts=parts)], config=config
            )
        except errors.APIError as err:
            headers = getattr(getattr(err, "response", None), "headers", None)
            raise status_error(int(err.code or 0), err.message or str(err), headers) from None
        except timeouts:
            raise ProviderError("timeout", "request timed out", retryable=True) from None
        except transport as err:
            raise ProviderError(
                "unreachable", f"cannot reach the server: {err}", retryable=True
            ) from None
        usage = response.usage_metadata
        tokens_in = (usage.prompt_token_count or 0) if usage else 0
        tokens_out = (usage.candidates_token_count or 0) if usage else 0
        by_modality = {
            str(getattr(d.modality, "value", d.modality)): int(d.token_count or 0)
            for d in ((usage.prompt_tokens_details or []) if usage else [])
        }
        try:
            text = response.text
        except ValueError:
            text = None
        return Reply(text, tokens_in, tokens_out, by_modality)


def _http_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """Timeout and transport exception classes of the HTTP clients the SDK may use (``httpx``
    and its successor ``httpx2``, whichever are installed)."""
    timeouts: list[type[BaseException]] = []
    transport: list[type[BaseException]] = []
    for name in ("httpx", "httpx2"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        transport.append(module.TransportError)
    return tuple(timeouts), tuple(transport)
