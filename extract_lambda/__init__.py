"""The extract Lambda: complete, immutable snapshots of Spotify playlists landed in S3.

Entry points: ``extract_lambda.handler.lambda_handler`` (Lambda),
``python -m extract_lambda`` (command line), ``extract_lambda.extract.extract_playlists``
(Python API), ``python -m extract_lambda.auth_setup`` (one-time refresh token).
See docs/extractor.md.
"""
