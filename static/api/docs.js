// Starts Swagger UI on the API docs page; a static file so the page needs no inline script (CSP).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    // No call to swagger.io's online validator: nothing external at run time.
    validatorUrl: null,
  });
})();
