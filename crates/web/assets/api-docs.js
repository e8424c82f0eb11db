// The browsable viewer of /api/v1/openapi.json (Swagger UI, vendored).
window.addEventListener("load", function () {
  window.SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
