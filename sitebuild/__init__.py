"""Build-time code for the site: mkdocs hooks and macros, quiz rendering, data provisioning."""
