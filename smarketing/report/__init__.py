"""The joint KPI report: query the marts, render HTML and text, send it over SMTP, archive it."""
