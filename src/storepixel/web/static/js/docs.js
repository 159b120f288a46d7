// /docs: Swagger UI over /openapi.json. A file rather than an inline script, so the page runs
// under the same Content-Security-Policy as every other response (script-src 'self').
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
