"""Renderers: site pages, Markdown and images, QR codes, signage, case books, report."""
