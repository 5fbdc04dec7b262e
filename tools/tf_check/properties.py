"""Properties the issue asks of the deployment, asserted on the HCL itself: bucket
protection, the Lambda's safety nets and least privilege, the Glue job's settings and
trigger chain, encryption everywhere, and the alarms. Each check names what is missing.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterator
from pathlib import Path

from .checks import skip_comments
from .hcl import (
    Block,
    Instance,
    Module,
    Problem,
    Scope,
    Tree,
    Unknown,
    argument_text,
    argument_texts,
    dynamic_blocks,
    evaluate,
    expression_text,
    expressions_in,
    generated_blocks,
    instance_scopes,
    literal_string,
    nested_blocks,
    resource_instances,
)


def _where(block: Block) -> str:
    return f"{block.where} ({block.address})"


def _where_instance(block: Block, key: object) -> str:
    """:func:`_where` of one for_each instance (the block itself without a key)."""
    return _where(block) if key is None else f'{block.where} ({block.address}["{key}"])'


def _refers_to(value: object, address: str) -> bool:
    """Whether an attribute value's code references ``address`` (e.g. aws_s3_bucket.raw)."""
    pattern = re.compile(r"(?<![\w.$])" + re.escape(address) + r"(?=[.\[\s]|$)")
    return any(pattern.search(code) for code in expressions_in(value))


def _companions(module: Module, resource_type: str, attribute: str, address: str) -> list[Block]:
    return [
        b
        for b in module.resources_of_type(resource_type)
        if _refers_to(b.body.get(attribute), address)
    ]


def _bucket_companions(
    tree: Tree, module: Module, resource_type: str, address: str
) -> list[tuple[Block, Scope]]:
    """The resources of ``resource_type`` whose ``bucket`` is ``address``, each with the
    scope its arguments are evaluated in: a resource naming the bucket directly, or the
    instance of a for_each resource whose bucket evaluates to it (for_each = local.buckets,
    bucket = each.value.id)."""
    names_bucket = re.compile("<" + re.escape(address) + r"[.>\[]")
    found: list[tuple[Block, Scope]] = []
    for block in module.resources_of_type(resource_type):
        if _refers_to(block.body.get("bucket"), address):
            found.append((block, Scope(tree, module)))
        elif "for_each" in block.body:
            found.extend(
                (block, scope)
                for scope in _instances(tree, module, block)
                if scope.each
                and names_bucket.search(str(evaluate(block.body.get("bucket"), scope)))
            )
    return found


def _skipped(module: Module, block: Block, check_id: str) -> bool:
    """Whether ``block`` carries a (reasoned) ``#checkov:skip=check_id`` comment."""
    end = _block_end_line(module, block)
    return any(
        path == block.path and block.line <= line <= end and skipped == check_id
        for path, line, skipped, _reason in skip_comments(module)
    )


def _block_end_line(module: Module, block: Block) -> int:
    """The line closing ``block`` (brace counting; good enough for formatted HCL)."""
    lines = module.texts[block.path].splitlines()
    depth = 0
    for number in range(block.line - 1, len(lines)):
        depth += lines[number].count("{") - lines[number].count("}")
        if depth <= 0:
            return number + 1
    return len(lines)


def _first(body: dict, *path: str) -> dict | None:
    """The first nested block along ``path`` (``rule``, ``apply_..._by_default``...)."""
    current: dict | None = body
    for name in path:
        if current is None:
            return None
        blocks = nested_blocks(current, name)
        current = blocks[0] if blocks else None
    return current


def _all(body: dict, name: str) -> list[dict]:
    return nested_blocks(body, name)


def _rules(tree: Tree, module: Module, lifecycle: list[Block]) -> list[dict]:
    """The rules of the first lifecycle configuration in ``lifecycle``, dynamic ones
    included (one body per rule generated)."""
    if not lifecycle:
        return []
    return [r for r, _scope in generated_blocks(lifecycle[0].body, "rule", Scope(tree, module))]


def _policy_document(module: Module, value: object) -> Block | None:
    text = expression_text(value)
    match = re.fullmatch(r"data\.aws_iam_policy_document\.([\w-]+)\.json", text or "")
    return module.data_sources.get(("aws_iam_policy_document", match.group(1))) if match else None


def _statements(document: Block) -> Iterator[dict]:
    yield from nested_blocks(document.body, "statement")


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    text = literal_string(value)
    return [text] if text is not None else []


# ---------------------------------------------------------------------------------------
# S3
# ---------------------------------------------------------------------------------------


def check_buckets(tree: Tree) -> list[Problem]:
    """Every bucket: public access blocked, encrypted (SSE-KMS unless a justified
    exception), TLS-only policy, owner-enforced, access-logged, aborting failed uploads."""
    problems: list[Problem] = []
    for module, bucket in tree.all_resources("aws_s3_bucket"):
        address = f"aws_s3_bucket.{bucket.labels[1]}"
        where = _where(bucket)

        blocks = [
            b
            for b, _s in _bucket_companions(
                tree, module, "aws_s3_bucket_public_access_block", address
            )
        ]
        flags = (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        )
        if not blocks:
            problems.append(Problem("s3", where, "no aws_s3_bucket_public_access_block"))
        elif not all(blocks[0].body.get(flag) is True for flag in flags):
            problems.append(
                Problem("s3", _where(blocks[0]), f"all of {', '.join(flags)} must be true")
            )

        encryption = [
            b
            for b, _s in _bucket_companions(
                tree, module, "aws_s3_bucket_server_side_encryption_configuration", address
            )
        ]
        default = (
            _first(encryption[0].body, "rule", "apply_server_side_encryption_by_default")
            if encryption
            else None
        )
        algorithm = literal_string(default.get("sse_algorithm")) if default else None
        if algorithm is None:
            problems.append(Problem("s3", where, "no default encryption"))
        elif algorithm != "aws:kms" and not _skipped(module, bucket, "CKV_AWS_145"):
            problems.append(
                Problem(
                    "s3",
                    where,
                    f"default encryption is {algorithm}, not SSE-KMS (and no justified CKV_AWS_145 skip)",
                )
            )
        elif algorithm == "aws:kms" and not default.get("kms_master_key_id"):
            problems.append(
                Problem("s3", where, "SSE-KMS without a customer-managed key (kms_master_key_id)")
            )

        policies = _bucket_companions(tree, module, "aws_s3_bucket_policy", address)
        found = (
            _document_statements(tree, module, policies[0][0].body.get("policy"), policies[0][1])
            if policies
            else None
        )
        if found is None:
            problems.append(
                Problem("s3", where, "no bucket policy built from an aws_iam_policy_document")
            )
        elif not _denies_insecure_transport(found[1], address):
            problems.append(
                Problem(
                    "s3",
                    _where(found[0]),
                    f"no statement denying non-TLS requests to {address} and its objects",
                )
            )

        ownership = [
            b
            for b, _s in _bucket_companions(
                tree, module, "aws_s3_bucket_ownership_controls", address
            )
        ]
        rule = _first(ownership[0].body, "rule") if ownership else None
        if rule is None or literal_string(rule.get("object_ownership")) != "BucketOwnerEnforced":
            problems.append(
                Problem("s3", where, "ACLs not disabled (ownership controls BucketOwnerEnforced)")
            )

        if not _bucket_companions(tree, module, "aws_s3_bucket_logging", address) and not _skipped(
            module, bucket, "CKV_AWS_18"
        ):
            problems.append(
                Problem("s3", where, "no access logging (and no justified CKV_AWS_18 skip)")
            )

        lifecycle = [
            b
            for b, _s in _bucket_companions(
                tree, module, "aws_s3_bucket_lifecycle_configuration", address
            )
        ]
        rules = _rules(tree, module, lifecycle)
        if not any(_first(r, "abort_incomplete_multipart_upload") for r in rules):
            problems.append(
                Problem("s3", where, "no lifecycle rule aborting incomplete multipart uploads")
            )
    return problems


_DOCUMENT_JSON = re.compile(r"data\.aws_iam_policy_document\.([\w-]+)(?:\[([^\]]+)\])?\.json")


def _document_statements(
    tree: Tree, module: Module, value: object, where: Scope | None = None, depth: int = 0
) -> tuple[Block, list[tuple[dict, Scope]]] | None:
    """The policy document ``value`` names (``data.aws_iam_policy_document.<name>.json``, or
    one instance ``<name>[key]`` of a for_each document, the key evaluated in ``where``, the
    scope of the resource using it) and every statement of the policy it renders, each with
    the scope it is evaluated in: its own statements and those of its
    source_policy_documents (which come first in the policy) and override_policy_documents
    (a statement whose Sid is already in the policy replaces that one, any other is
    appended)."""
    match = _DOCUMENT_JSON.fullmatch(expression_text(value) or "")
    document = (
        module.data_sources.get(("aws_iam_policy_document", match.group(1))) if match else None
    )
    if document is None or depth > 5:
        return None
    scope = Scope(tree, module)
    if match.group(2) is not None:
        key = evaluate("${" + match.group(2) + "}", where or scope)
        expanded = evaluate(document.body.get("for_each"), scope)
        if not isinstance(expanded, dict) or not isinstance(key, str) or key not in expanded:
            return None
        scope = Scope(tree, module, {"key": key, "value": expanded[key]})
    statements: list[tuple[dict, Scope]] = []
    for kind in ("source_policy_documents", None, "override_policy_documents"):
        if kind is None:
            statements.extend((s, scope) for s in _statements(document))
            continue
        sources = document.body.get(kind)
        for source in sources if isinstance(sources, list) else []:
            found = _document_statements(tree, module, source, depth=depth + 1)
            if found is None:
                return None
            for statement, its_scope in found[1]:
                sid = literal_string(statement.get("sid"))
                same = [
                    i
                    for i, (s, _) in enumerate(statements)
                    if sid and literal_string(s.get("sid")) == sid
                ]
                if kind == "override_policy_documents" and same:
                    statements[same[0]] = (statement, its_scope)
                else:
                    statements.append((statement, its_scope))
    return document, statements


def _denies_insecure_transport(statements: list[tuple[dict, Scope]], address: str) -> bool:
    for statement, scope in statements:
        if literal_string(statement.get("effect")) != "Deny":
            continue
        conditions = nested_blocks(statement, "condition")
        insecure = any(
            literal_string(c.get("test")) == "Bool"
            and literal_string(c.get("variable")) == "aws:SecureTransport"
            and _strings(c.get("values")) == ["false"]
            for c in conditions
        )
        principals = nested_blocks(statement, "principals")
        everyone = any(_strings(p.get("identifiers")) == ["*"] for p in principals)
        # Evaluated: an ARN known only at apply time is its <address.arn> placeholder.
        resources = evaluate(statement.get("resources") or [], scope)
        resources = [str(r) for r in resources] if isinstance(resources, list) else []
        covers_bucket = f"<{address}.arn>" in resources
        covers_objects = f"<{address}.arn>/*" in resources
        if (
            insecure
            and everyone
            and covers_bucket
            and covers_objects
            and "s3:*" in _strings(statement.get("actions"))
        ):
            return True
    return False


def check_raw_bucket(tree: Tree) -> list[Problem]:
    """The raw snapshots (the only data that cannot be re-created) are versioned and age
    into a cheaper class after a configurable number of days."""
    problems: list[Problem] = []
    raw = tree.all_resources("aws_s3_bucket")
    raw = [(m, b) for m, b in raw if b.labels[1] == "raw"]
    if not raw:
        return [Problem("s3", str(tree.base), "no aws_s3_bucket.raw")]
    for module, bucket in raw:
        versioning = [
            b
            for b, _s in _bucket_companions(
                tree, module, "aws_s3_bucket_versioning", "aws_s3_bucket.raw"
            )
        ]
        config = _first(versioning[0].body, "versioning_configuration") if versioning else None
        if config is None or literal_string(config.get("status")) != "Enabled":
            problems.append(Problem("s3", _where(bucket), "raw bucket is not versioned"))
        lifecycle = [
            b
            for b, _s in _bucket_companions(
                tree, module, "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket.raw"
            )
        ]
        transitions = [t for r in _rules(tree, module, lifecycle) for t in _all(r, "transition")]
        if not any((expression_text(t.get("days")) or "").startswith("var.") for t in transitions):
            problems.append(
                Problem(
                    "s3",
                    _where(bucket),
                    "raw snapshots have no transition after a configurable (var.) number of days",
                )
            )
    for module, bucket in tree.all_resources("aws_s3_bucket"):
        if bucket.labels[1] != "athena_results":
            continue
        lifecycle = [
            b
            for b, _s in _bucket_companions(
                tree,
                module,
                "aws_s3_bucket_lifecycle_configuration",
                "aws_s3_bucket.athena_results",
            )
        ]
        if not any(_first(r, "expiration") for r in _rules(tree, module, lifecycle)):
            problems.append(Problem("s3", _where(bucket), "Athena results never expire"))
    return problems


def check_bucket_notifications(tree: Tree) -> list[Problem]:
    """S3 keeps one notification configuration per bucket: exactly one resource may own
    each bucket's. The curated bucket's targets the pipes' queue by table prefix; the raw
    bucket's sends its events to EventBridge, where the chart workflow's rule finds new
    chart files (without it, files added to the drop zone would start nothing)."""
    notifications = tree.all_resources("aws_s3_bucket_notification")
    by_bucket: dict[str, list[Block]] = {}
    for _module, block in notifications:
        bucket = expression_text(block.body.get("bucket")) or ""
        kind = (
            "curated"
            if bucket == "var.curated_bucket_name"
            else "raw"
            if bucket == "aws_s3_bucket.raw.id"
            else bucket
        )
        by_bucket.setdefault(kind, []).append(block)
    problems = []
    for kind in ("curated", "raw"):
        found = by_bucket.get(kind, [])
        if len(found) != 1:
            problems.append(
                Problem(
                    "s3",
                    str(tree.base),
                    f"expected exactly one aws_s3_bucket_notification of the {kind} bucket, "
                    f"found {len(found)}",
                )
            )
    for kind in sorted(set(by_bucket) - {"curated", "raw"}):
        problems.append(
            Problem(
                "s3",
                _where(by_bucket[kind][0]),
                f"a notification of {kind}: neither the curated nor the raw bucket",
            )
        )
    for block in by_bucket.get("curated", [])[:1]:
        queues = nested_blocks(block.body, "queue") + [
            c for d in dynamic_blocks(block.body, "queue") for c in nested_blocks(d, "content")
        ]
        if not queues or not all(
            "snowflake_pipe" in " ".join(block_code_of(q))
            or "notification_channel" in " ".join(block_code_of(q))
            for q in queues
        ):
            problems.append(
                Problem(
                    "s3",
                    _where(block),
                    "the notification does not target the pipes' notification channel",
                )
            )
    for block in by_bucket.get("raw", [])[:1]:
        if block.body.get("eventbridge") is not True:
            problems.append(
                Problem(
                    "s3",
                    _where(block),
                    "the raw bucket does not send its events to EventBridge (eventbridge = true): "
                    "new chart files would not start the chart workflow",
                )
            )
    return problems


def block_code_of(body: dict) -> list[str]:
    return list(expressions_in(body))


# ---------------------------------------------------------------------------------------
# Lambda
# ---------------------------------------------------------------------------------------


def check_lambda(tree: Tree) -> list[Problem]:
    """Reserved concurrency, active tracing, a dead-letter queue or failure destination,
    a hash that redeploys changed code, encrypted environment, a log group with retention,
    and a role that can only write the raw prefix, read one secret and write its logs."""
    problems: list[Problem] = []
    functions = tree.all_resources("aws_lambda_function")
    if not functions:
        return [Problem("lambda", str(tree.base), "no aws_lambda_function")]
    for module, function in functions:
        where = _where(function)
        body = function.body
        if "reserved_concurrent_executions" not in body:
            problems.append(Problem("lambda", where, "no reserved_concurrent_executions"))
        tracing = _first(body, "tracing_config")
        if tracing is None or literal_string(tracing.get("mode")) != "Active":
            problems.append(Problem("lambda", where, "tracing_config mode is not Active"))
        dlq = _first(body, "dead_letter_config")
        destinations = [
            c
            for c in module.resources_of_type("aws_lambda_function_event_invoke_config")
            if _first(c.body, "destination_config", "on_failure")
        ]
        if (dlq is None or "target_arn" not in dlq) and not destinations:
            problems.append(
                Problem("lambda", where, "no dead_letter_config and no on_failure destination")
            )
        source = expression_text(body.get("filename"))
        code_hash = expression_text(body.get("source_code_hash")) or ""
        if not source or code_hash != f"filebase64sha256({source})":
            problems.append(
                Problem(
                    "lambda",
                    where,
                    "source_code_hash must be filebase64sha256(<filename>) so a new zip redeploys",
                )
            )
        if "kms_key_arn" not in body:
            problems.append(
                Problem(
                    "lambda",
                    where,
                    "environment not encrypted with the customer-managed key (kms_key_arn)",
                )
            )
        log_groups = [
            g
            for g in module.resources_of_type("aws_cloudwatch_log_group")
            if "/aws/lambda/" in (g.body.get("name") or "")
        ]
        if not log_groups:
            problems.append(
                Problem("lambda", where, "no /aws/lambda/ log group managed with a retention")
            )
        problems.extend(_check_lambda_role(tree, module, function))
    return problems


def _check_lambda_role(tree: Tree, module: Module, function: Block) -> list[Problem]:
    role = re.fullmatch(
        r"aws_iam_role\.([\w-]+)\.arn", expression_text(function.body.get("role")) or ""
    )
    if role is None:
        return [Problem("iam", _where(function), "role is not an aws_iam_role of this module")]
    policies = _companions(module, "aws_iam_role_policy", "role", f"aws_iam_role.{role.group(1)}")
    documents = [d for p in policies if (d := _policy_document(module, p.body.get("policy")))]
    if not documents:
        return [
            Problem("iam", _where(function), "the function's role has no inline policy document")
        ]
    problems = []
    s3_statements: list[tuple[Block, dict]] = []
    for document in documents:
        for statement in _statements(document):
            if literal_string(statement.get("effect")) == "Deny":
                continue
            actions = _strings(statement.get("actions"))
            resources = statement.get("resources") or []
            if any(a.startswith("s3:") for a in actions):
                s3_statements.append((document, statement))
            reads_secrets = any(a.startswith("secretsmanager:") for a in actions)
            if reads_secrets and (
                set(actions) != {"secretsmanager:GetSecretValue"} or len(resources) != 1
            ):
                problems.append(
                    Problem(
                        "iam", _where(document), "the extract role may only read exactly one secret"
                    )
                )
            writes_logs = any(a.startswith("logs:") for a in actions)
            if writes_logs and not all(
                _refers_to(r, "aws_cloudwatch_log_group") for r in resources
            ):
                problems.append(
                    Problem(
                        "iam",
                        _where(document),
                        "log permissions are not limited to the function's log group",
                    )
                )
            if any(a == "*" or a.endswith(":*") for a in actions):
                problems.append(Problem("iam", _where(document), f"wildcard action in {actions}"))
    problems.extend(_check_lambda_s3_grants(tree, module, function, s3_statements))
    return problems


# What the extract Lambda does in S3 (extract_lambda: storage.S3Sink, enrich_state.S3RawStore).
LAMBDA_S3_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:ListBucket")


def enrich_settings(environment: dict):
    """``extract_lambda.enrich.EnrichSettings`` as the function runs with ``environment``:
    its TRACKS_PREFIX and ENRICH_PREFIX where set, the code's defaults otherwise."""
    from extract_lambda.enrich import EnrichSettings

    return EnrichSettings(
        **{
            field: value
            for field, name in (
                ("tracks_prefix", "TRACKS_PREFIX"),
                ("enrich_prefix", "ENRICH_PREFIX"),
            )
            if isinstance(value := environment.get(name), str) and value
        }
    )


def lambda_s3_needs(environment: dict) -> tuple[set[tuple[str, str]], set[str]]:
    """What the function's code does in the raw bucket with this environment: the
    (action, object key pattern) pairs it needs, and the ``s3:prefix`` values S3 sees for its
    listings. The enrichment's keys come from ``extract_lambda.enrich.EnrichSettings`` (the
    code itself), with the environment's prefixes or the code's defaults:

    - snapshots: PutObject under RAW_PREFIX;
    - track documents: PutObject under TRACKS_PREFIX, listed when the state is rebuilt;
    - the state object: GetObject (its ETag is the If-Match of the next write) and PutObject;
      a GetObject of an absent state must answer 404, not 403, which takes ListBucket with
      the key as s3:prefix;
    - work lists under ``<ENRICH_PREFIX>/todo/``: listed and read (GetObject), never written.
    """
    raw_prefix = environment.get("RAW_PREFIX")
    settings = enrich_settings(environment)
    objects = {
        ("s3:PutObject", f"{settings.tracks_prefix}/*"),
        ("s3:PutObject", settings.state_key),
        ("s3:GetObject", settings.state_key),
        ("s3:GetObject", f"{settings.todo_prefix}*"),
    }
    if isinstance(raw_prefix, str) and raw_prefix:
        objects.add(("s3:PutObject", f"{raw_prefix}/*"))
    listed = {f"{settings.tracks_prefix}/", settings.todo_prefix, settings.state_key}
    return objects, listed


def _raw_bucket(resource: object) -> tuple[str, str | None] | None:
    """(bucket ARN, object key or None) of an evaluated resource in the raw bucket."""
    if isinstance(resource, Unknown):
        resource = str(resource)  # <aws_s3_bucket.raw.arn>: known only at apply time
    if not isinstance(resource, str):
        return None
    match = re.fullmatch(
        r"(<[^<>]*\braw\b[^<>]*>|arn:[\w-]+:s3:::[^/]*raw[^/]*)(?:/(.*))?", resource
    )
    return (match.group(1), match.group(2)) if match else None


def _check_lambda_s3_grants(
    tree: Tree, module: Module, function: Block, statements: list[tuple[Block, dict]]
) -> list[Problem]:
    """The role's S3 grants are exactly what the code does (:func:`lambda_s3_needs`):
    nothing missing, nothing more, all in the raw bucket; listings only under the prefixes
    the code lists."""
    tree_scope = Scope(tree, module)
    environment = evaluate(
        (_first(function.body, "environment") or {}).get("variables") or {}, tree_scope
    )
    environment = environment if isinstance(environment, dict) else {}
    needed, listed = lambda_s3_needs(environment)
    granted: set[tuple[str, str]] = set()
    patterns: list[tuple[str, str]] = []  # (test, value) of s3:prefix conditions
    problems: list[Problem] = []
    for document, statement in statements:
        where = _where(document)
        sid = literal_string(statement.get("sid"))
        actions = _strings(statement.get("actions"))
        unknown = [a for a in actions if a not in LAMBDA_S3_ACTIONS]
        if unknown:
            problems.append(
                Problem(
                    "iam",
                    where,
                    f"the extract role may only {', '.join(LAMBDA_S3_ACTIONS)}, not {unknown}",
                )
            )
        resources = evaluate(statement.get("resources") or [], tree_scope)
        resources = resources if isinstance(resources, list) else [resources]
        for resource in resources:
            located = _raw_bucket(resource)
            if located is None:
                problems.append(
                    Problem("iam", where, f"S3 access {resource} is not in the raw bucket")
                )
                continue
            key = located[1]
            for action in actions:
                if action == "s3:ListBucket":
                    if key is not None:
                        problems.append(
                            Problem("iam", where, f"s3:ListBucket on {resource}: not a bucket")
                        )
                    continue
                if action not in LAMBDA_S3_ACTIONS:
                    continue
                if key is None or (action, key) not in needed:
                    problems.append(
                        Problem(
                            "iam",
                            where,
                            f"statement {sid} grants {action} on {resource}, which the code "
                            "does not use",
                        )
                    )
                else:
                    granted.add((action, key))
        if "s3:ListBucket" in actions:
            conditions = _conditions(statement).get("s3:prefix", [])
            found = [
                (literal_string(c.get("test")) or "", value)
                for c in conditions
                for value in evaluate(c.get("values") or [], tree_scope)
                if isinstance(value, str)
            ]
            if not found:
                problems.append(
                    Problem(
                        "iam",
                        where,
                        f"statement {sid} lets the role list the whole raw bucket: "
                        "limit it with an s3:prefix condition",
                    )
                )
                patterns.append(("StringLike", "*"))  # it can list anything, but should not
            roots = {key.split("/", 1)[0] + "/" for key in listed}
            for _test, value in found:
                if not any(value.startswith(root) for root in roots):
                    problems.append(
                        Problem(
                            "iam",
                            where,
                            f"statement {sid} lets the role list {value!r}, which the code "
                            f"does not list (only under {sorted(roots)})",
                        )
                    )
            patterns += found
    for action, key in sorted(needed - granted):
        problems.append(
            Problem(
                "iam",
                _where(function),
                f"the role lacks {action} on <raw bucket>/{key}, which extract_lambda uses",
            )
        )
    for prefix in sorted(listed):
        if not any(
            fnmatch.fnmatchcase(prefix, value) if test == "StringLike" else prefix == value
            for test, value in patterns
        ):
            problems.append(
                Problem(
                    "iam",
                    _where(function),
                    f"the role cannot list the raw bucket with prefix {prefix!r}, which "
                    "extract_lambda does (or needs for a 404 on an absent state)",
                )
            )
    return problems


def check_secrets_encrypted(tree: Tree) -> list[Problem]:
    return [
        Problem(
            "secrets", _where(b), "secret not encrypted with the customer-managed key (kms_key_id)"
        )
        for _m, b in tree.all_resources("aws_secretsmanager_secret")
        if "kms_key_id" not in b.body
    ]


# ---------------------------------------------------------------------------------------
# Glue
# ---------------------------------------------------------------------------------------


def check_glue(tree: Tree) -> list[Problem]:
    """Glue 5.0, bookmarks on, one run at a time, encrypted, sized by variables, assets
    uploaded with content hashes, crawlers chained behind the job inside one workflow."""
    problems: list[Problem] = []
    jobs = resource_instances(tree, "aws_glue_job")
    if not jobs:
        problems.append(Problem("glue", str(tree.base), "no aws_glue_job"))
    for job in jobs:
        where = job.where
        body = job.block.body
        if literal_string(body.get("glue_version")) != "5.0":
            problems.append(Problem("glue", where, 'glue_version is not "5.0"'))
        arguments = job.evaluate("default_arguments", {})
        if (
            not isinstance(arguments, dict)
            or arguments.get("--job-bookmark-option") != "job-bookmark-enable"
        ):
            problems.append(
                Problem("glue", where, "--job-bookmark-option is not job-bookmark-enable")
            )
        if isinstance(arguments, dict) and "--extra-py-files" not in arguments:
            problems.append(Problem("glue", where, "no --extra-py-files (the glue_jobs library)"))
        execution = _first(body, "execution_property")
        if execution is None or execution.get("max_concurrent_runs") != 1:
            problems.append(
                Problem("glue", where, "execution_property max_concurrent_runs is not 1")
            )
        if "security_configuration" not in body:
            problems.append(Problem("glue", where, "no security_configuration"))
        for argument in ("worker_type", "number_of_workers", "execution_class"):
            if not (expression_text(body.get(argument)) or "").startswith("var."):
                problems.append(Problem("glue", where, f"{argument} is not set from a variable"))
        problems.extend(_check_trigger_chain(job))
    for _module, config in tree.all_resources("aws_glue_security_configuration"):
        encryption = _first(config.body, "encryption_configuration") or {}
        expected = {
            "s3_encryption": ("s3_encryption_mode", "SSE-KMS"),
            "cloudwatch_encryption": ("cloudwatch_encryption_mode", "SSE-KMS"),
            "job_bookmarks_encryption": ("job_bookmarks_encryption_mode", "CSE-KMS"),
        }
        for block_name, (attribute, mode) in expected.items():
            inner = _first(encryption, block_name)
            if inner is None or literal_string(inner.get(attribute)) != mode:
                problems.append(Problem("glue", _where(config), f"{block_name} is not {mode}"))
    for module, crawler in tree.all_resources("aws_glue_crawler"):
        if "security_configuration" not in crawler.body:
            problems.append(
                Problem("glue", _where(crawler), "crawler has no security_configuration")
            )
        else:
            problems.extend(_check_crawler_log_group(tree, module, crawler))
    for _module, obj in tree.all_resources("aws_s3_object"):
        source = expression_text(obj.body.get("source"))
        if expression_text(obj.body.get("source_hash")) != f"filemd5({source})":
            problems.append(
                Problem(
                    "glue",
                    _where(obj),
                    "uploaded asset has no source_hash = filemd5(<source>), so a changed file would not be re-uploaded",
                )
            )
        if "etag" in obj.body and "kms_key_id" in obj.body:
            problems.append(
                Problem(
                    "glue",
                    _where(obj),
                    "etag of an SSE-KMS object is not its MD5: it would change on every plan; use source_hash",
                )
            )
    return problems


def _check_crawler_log_group(tree: Tree, module: Module, crawler: Block) -> list[Problem]:
    """The log group Glue logs an encrypted crawler's runs to, declared with a retention.

    With a security configuration, Glue logs crawls to
    ``/aws-glue/crawlers-role/<role path without its leading slash><role name>-<security
    configuration name>`` and creates that group itself, without retention, unless it
    exists. The roles here keep the default path ``/``.
    """
    role = re.fullmatch(
        r"aws_iam_role\.([\w-]+)\.(arn|name)", expression_text(crawler.body.get("role")) or ""
    )
    config = re.fullmatch(
        r"aws_glue_security_configuration\.([\w-]+)\.name",
        expression_text(crawler.body.get("security_configuration")) or "",
    )
    if not role or not config:
        return [
            Problem(
                "glue",
                _where(crawler),
                "crawler role or security_configuration is not a reference to this module's resources, so its log group cannot be checked",
            )
        ]
    role_block = next(
        (r for r in module.resources_of_type("aws_iam_role") if r.labels[1] == role.group(1)),
        None,
    )
    path = role_block.body.get("path") if role_block is not None else None
    if path is not None and literal_string(path) != "/":
        # Glue puts the role's path (without its leading slash) before the role name.
        return [
            Problem(
                "glue",
                _where(role_block),
                "crawler role has a path other than /: Glue would log to "
                "/aws-glue/crawlers-role/<path><name>-<security configuration>, a group "
                "this configuration does not declare",
            )
        ]
    name = (
        f'"/aws-glue/crawlers-role/${{aws_iam_role.{role.group(1)}.name}}-'
        f'${{aws_glue_security_configuration.{config.group(1)}.name}}"'
    )
    group = _log_groups_by_name(tree, module).get(evaluate(name, Scope(tree, module)))
    if group is None:
        return [
            Problem(
                "glue",
                _where(crawler),
                f"no aws_cloudwatch_log_group named {name}: Glue would create the crawler's encrypted log group itself, with no retention",
            )
        ]
    if "retention_in_days" not in group.body:
        return [Problem("glue", _where(group), "crawler log group has no retention_in_days")]
    return []


def _log_groups_by_name(tree: Tree, module: Module) -> dict[object, Block]:
    """The module's log groups by their evaluated name, one entry per for_each instance."""
    return {
        evaluate(group.body.get("name"), scope): group
        for group in module.resources_of_type("aws_cloudwatch_log_group")
        for scope in _instances(tree, module, group)
    }


def _check_trigger_chain(job: Instance) -> list[Problem]:
    """The job (one instance of a for_each job: ``job_name = aws_glue_job.this["key"].name``)
    is started by a trigger of a workflow, and a conditional trigger of the same workflow
    starts crawlers when it SUCCEEDED."""
    module = job.module
    job_ref = f"{job.address}.name"
    triggers = module.resources_of_type("aws_glue_trigger")
    where = job.where
    problems = []
    for trigger in triggers:
        if "workflow_name" not in trigger.body:
            problems.append(
                Problem(
                    "glue",
                    _where(trigger),
                    "trigger outside a workflow: Glue fires conditional triggers only for runs started inside the same workflow",
                )
            )
    starts = [
        t
        for t in triggers
        if literal_string(t.body.get("type")) != "CONDITIONAL"
        and any(
            expression_text(a.get("job_name")) == job_ref for a in nested_blocks(t.body, "actions")
        )
    ]
    # The conditional triggers (or instances of a for_each one, by key) that start crawlers
    # when the job SUCCEEDED.
    conditional: list[tuple[Block, str | None]] = []
    for trigger in triggers:
        if literal_string(trigger.body.get("type")) != "CONDITIONAL":
            continue
        actions = nested_blocks(trigger.body, "actions") + [
            content
            for d in dynamic_blocks(trigger.body, "actions")
            for content in nested_blocks(d, "content")
        ]
        if not any("crawler_name" in a for a in actions):
            continue
        conditional.extend(
            (trigger, key)
            for p in nested_blocks(trigger.body, "predicate")
            for c in nested_blocks(p, "conditions")
            if literal_string(c.get("state")) == "SUCCEEDED"
            for key, text in argument_texts(module, trigger, c.get("job_name")).items()
            if text == job_ref
        )
    if not starts:
        problems.append(Problem("glue", where, "no workflow trigger starts the job"))
    if not conditional:
        problems.append(
            Problem(
                "glue", where, "no CONDITIONAL trigger starts the crawlers when the job SUCCEEDED"
            )
        )
    workflows = {expression_text(t.body.get("workflow_name")) for t in starts} | {
        argument_text(module, t, t.body.get("workflow_name"), key) for t, key in conditional
    }
    if starts and conditional and len(workflows) != 1:
        problems.append(
            Problem(
                "glue",
                where,
                "the job's start trigger and the crawlers' conditional trigger are not in the same workflow",
            )
        )
    return problems


# ---------------------------------------------------------------------------------------
# Encryption, schedules, Athena, monitoring
# ---------------------------------------------------------------------------------------


def check_encryption(tree: Tree) -> list[Problem]:
    """Customer-managed keys with rotation; logs, queues and topics encrypted with them."""
    problems: list[Problem] = []
    for _m, key in tree.all_resources("aws_kms_key"):
        if key.body.get("enable_key_rotation") is not True:
            problems.append(Problem("kms", _where(key), "key rotation is not enabled"))
        if "policy" not in key.body:
            problems.append(Problem("kms", _where(key), "no explicit key policy"))
    required = {
        "aws_cloudwatch_log_group": ("kms_key_id", "retention_in_days"),
        "aws_sqs_queue": ("kms_master_key_id",),
        "aws_sns_topic": ("kms_master_key_id",),
        "aws_scheduler_schedule": ("kms_key_arn",),
    }
    for resource_type, attributes_ in required.items():
        for _m, block in tree.all_resources(resource_type):
            for attribute in attributes_:
                if attribute not in block.body:
                    problems.append(
                        Problem("kms", _where(block), f"{resource_type} without {attribute}")
                    )
    return problems


def check_schedules(tree: Tree) -> list[Problem]:
    """Schedules are configurable (expression and time zone from variables) and have a
    dead-letter queue for starts that never reach their target."""
    problems: list[Problem] = []
    schedules = tree.all_resources("aws_scheduler_schedule")
    if not schedules:
        return [Problem("schedule", str(tree.base), "no aws_scheduler_schedule")]
    for module, schedule in schedules:
        where = _where(schedule)
        for attribute in ("schedule_expression", "schedule_expression_timezone"):
            texts = _source_texts(module, schedule, schedule.body.get(attribute))
            if not all(text.startswith("var.") for text in texts):
                problems.append(Problem("schedule", where, f"{attribute} is not a variable"))
        target = _first(schedule.body, "target") or {}
        if _first(target, "dead_letter_config") is None:
            problems.append(Problem("schedule", where, "target has no dead_letter_config"))
    return problems


def _source_texts(module: Module, block: Block, value: object) -> list[str]:
    """The expression text of an argument, or of each entry it takes from a local map (see
    :func:`hcl.argument_texts`)."""
    return list(argument_texts(module, block, value).values())


def check_athena(tree: Tree) -> list[Problem]:
    problems: list[Problem] = []
    workgroups = tree.all_resources("aws_athena_workgroup")
    if not workgroups:
        return [Problem("athena", str(tree.base), "no aws_athena_workgroup")]
    for _m, workgroup in workgroups:
        where = _where(workgroup)
        config = _first(workgroup.body, "configuration") or {}
        if config.get("enforce_workgroup_configuration") is not True:
            problems.append(Problem("athena", where, "workgroup configuration is not enforced"))
        if "bytes_scanned_cutoff_per_query" not in config:
            problems.append(Problem("athena", where, "no bytes_scanned_cutoff_per_query"))
        encryption = _first(config, "result_configuration", "encryption_configuration")
        if encryption is None or literal_string(encryption.get("encryption_option")) not in (
            "SSE_KMS",
            "CSE_KMS",
        ):
            problems.append(Problem("athena", where, "query results are not encrypted with KMS"))
    queries = tree.all_resources("aws_athena_named_query")
    if not any("fileset(" in (expression_text(q.body.get("for_each")) or "") for _m, q in queries):
        problems.append(
            Problem(
                "athena",
                str(tree.base),
                "named queries are not generated from the athena_sql/ files (for_each = fileset(...))",
            )
        )
    return problems


def check_monitoring(tree: Tree) -> list[Problem]:
    """Alarms on Lambda errors, the extractor's ERROR log lines and dead letters; a rule on
    failed Glue job runs; all to a notification topic."""
    problems: list[Problem] = []
    metrics = {
        (values.get("namespace"), values.get("metric_name"))
        for _a, _k, values in alarm_instances(tree)
        if values.get("alarm_actions")
    }
    if ("AWS/Lambda", "Errors") not in metrics:
        problems.append(
            Problem("monitoring", str(tree.base), "no alarm with actions on AWS/Lambda Errors")
        )
    if ("AWS/SQS", "ApproximateNumberOfMessagesVisible") not in metrics:
        problems.append(
            Problem(
                "monitoring",
                str(tree.base),
                "no alarm with actions on dead-letter messages (AWS/SQS ApproximateNumberOfMessagesVisible)",
            )
        )
    # A partly failed extraction succeeds as an invocation: its ERROR log lines must alarm.
    error_metrics = [
        (transformation.get("namespace"), transformation.get("name"))
        for m, b in tree.all_resources("aws_cloudwatch_log_metric_filter")
        if '$.level = \\"ERROR\\"' in str(b.body.get("pattern"))
        and "lambda_log_group_name" in str(b.body.get("log_group_name"))
        for transformation in [
            evaluate(_first(b.body, "metric_transformation") or {}, Scope(tree, m))
        ]
    ]
    if not any(metric in metrics for metric in error_metrics):
        problems.append(
            Problem(
                "monitoring",
                str(tree.base),
                "no alarm with actions on the extract Lambda's ERROR log lines (a metric filter "
                '{ $.level = "ERROR" } on its log group): failed playlists would go unnoticed',
            )
        )
    targets = [b for _m, b in tree.all_resources("aws_cloudwatch_event_target")]
    glue_failures = [
        (rule, scope.each.get("key"))
        for module, rule in tree.all_resources("aws_cloudwatch_event_rule")
        for scope in _instances(tree, module, rule)
        for pattern in [str(evaluate(rule.body.get("event_pattern"), scope))]
        if "Glue Job State Change" in pattern and "FAILED" in pattern
    ]
    if not glue_failures:
        problems.append(
            Problem("monitoring", str(tree.base), "no EventBridge rule on failed Glue job runs")
        )
    for rule, key in glue_failures:
        # A target names the rule, or has one instance per rule (for_each = the rules).
        address = f"aws_cloudwatch_event_rule.{rule.labels[1]}"
        if not any(
            _refers_to(t.body.get("rule"), address) or _refers_to(t.body.get("for_each"), address)
            for t in targets
        ):
            problems.append(
                Problem(
                    "monitoring", _where_instance(rule, key), "the Glue failure rule has no target"
                )
            )
    return problems


def check_no_wildcard_permissions(tree: Tree) -> list[Problem]:
    """No Allow statement grants every action of a service, except the key policy's
    account-administration statement (key policies need it to delegate to IAM)."""
    problems: list[Problem] = []
    for module, document in tree.all_blocks("data"):
        if document.labels[0] != "aws_iam_policy_document":
            continue
        is_key_policy = any(
            _refers_to(k.body.get("policy"), f"data.aws_iam_policy_document.{document.labels[1]}")
            for k in module.resources_of_type("aws_kms_key")
        )
        for statement in _statements(document):
            if literal_string(statement.get("effect")) == "Deny":
                continue
            wildcards = [
                a for a in _strings(statement.get("actions")) if a == "*" or a.endswith(":*")
            ]
            if wildcards and not (is_key_policy and wildcards == ["kms:*"]):
                problems.append(Problem("iam", _where(document), f"Allow of {wildcards}"))
    return problems


# ---------------------------------------------------------------------------------------
# A first apply that does what the guide says (docs/deploy.md)
# ---------------------------------------------------------------------------------------


def check_on_demand_triggers(tree: Tree) -> list[Problem]:
    """Every ON_DEMAND Glue trigger sets ``enabled = false``: the AWS provider starts an
    on-demand trigger when it creates it otherwise (terraform-provider-aws #38222, #42498),
    so the first apply would run the job before any data or secret exists."""
    return [
        Problem(
            "glue",
            _where(trigger),
            "ON_DEMAND trigger without enabled = false: the provider starts it on creation "
            "(terraform-provider-aws #38222, #42498)",
        )
        for _m, trigger in tree.all_resources("aws_glue_trigger")
        if literal_string(trigger.body.get("type")) == "ON_DEMAND"
        and trigger.body.get("enabled") is not False
    ]


def _referenced(value: object, kind: str, attribute: str) -> str | None:
    match = re.fullmatch(rf"{kind}\.([\w-]+)\.{attribute}", expression_text(value) or "")
    return match.group(1) if match else None


def check_glue_job_log_groups(tree: Tree) -> list[Problem]:
    """A job whose security configuration encrypts CloudWatch Logs logs to
    ``/aws-glue/jobs/<security configuration>-role<role path><role name>/output`` and
    ``/error``; Glue creates them itself (no retention, beyond destroy) unless they exist.
    Both must be declared, with a retention and the key; ``--custom-logGroup-prefix`` would
    name a third pair, so it is refused."""
    problems: list[Problem] = []
    for job in resource_instances(tree, "aws_glue_job"):
        module, where, scope = job.module, job.where, job.scope
        config_name = _referenced(
            job.block.body.get("security_configuration"), "aws_glue_security_configuration", "name"
        )
        role_name = _referenced(job.block.body.get("role_arn"), "aws_iam_role", "arn")
        if config_name is None or role_name is None:
            problems.append(
                Problem(
                    "glue",
                    where,
                    "role_arn or security_configuration is not a reference to this module's "
                    "resources, so the job's log groups cannot be checked",
                )
            )
            continue
        config = module.resources.get(("aws_glue_security_configuration", config_name))
        encryption = _first(config.body, "encryption_configuration", "cloudwatch_encryption")
        if encryption is None or literal_string(encryption.get("cloudwatch_encryption_mode")) in (
            None,
            "DISABLED",
        ):
            continue
        arguments = job.evaluate("default_arguments", {})
        if isinstance(arguments, dict) and "--custom-logGroup-prefix" in arguments:
            problems.append(
                Problem(
                    "glue",
                    where,
                    "--custom-logGroup-prefix with a log-encrypting security configuration: "
                    "declare the groups Glue names after the configuration and role instead",
                )
            )
        role = module.resources.get(("aws_iam_role", role_name))
        path = role.body.get("path") if role is not None else None
        if path is not None and literal_string(path) != "/":
            problems.append(
                Problem("glue", where, "the job's role has a path other than /: unchecked name")
            )
            continue
        config_value = evaluate(config.body.get("name"), scope)
        role_value = evaluate(role.body.get("name"), scope) if role is not None else None
        prefix = f"/aws-glue/jobs/{config_value}-role/{role_value}"
        groups = _log_groups_by_name(tree, module)
        for stream in ("output", "error"):
            group = groups.get(f"{prefix}/{stream}")
            if group is None:
                problems.append(
                    Problem(
                        "glue",
                        where,
                        f"no aws_cloudwatch_log_group named {prefix}/{stream}: Glue would "
                        "create the job's encrypted log group itself, with no retention",
                    )
                )
            elif not {"retention_in_days", "kms_key_id"} <= set(group.body):
                problems.append(
                    Problem(
                        "glue",
                        _where(group),
                        "the job's log group needs retention_in_days and kms_key_id",
                    )
                )
    return problems


# Statements a Glue job role grants for Glue's own use, not for Spark's s3:// paths (Glue
# downloads the script and --extra-py-files itself, by key).
NOT_EMRFS_STATEMENTS = {"ReadJobScriptAndLibrary"}


def check_glue_prefix_grants(tree: Tree) -> list[Problem]:
    """Every ``<prefix>/*`` a Glue job role may read or write also covers ``<prefix>`` and
    ``<prefix>_$folder$``: on Glue, s3:// goes through EMRFS, which reads a prefix's own key
    and its folder marker too."""
    problems: list[Problem] = []
    for module, job in tree.all_resources("aws_glue_job"):
        role_name = _referenced(job.body.get("role_arn"), "aws_iam_role", "arn")
        if role_name is None:
            continue
        scope = Scope(tree, module)
        for policy in _companions(
            module, "aws_iam_role_policy", "role", f"aws_iam_role.{role_name}"
        ):
            document = _policy_document(module, policy.body.get("policy"))
            if document is None:
                continue
            for statement in _statements(document):
                sid = literal_string(statement.get("sid"))
                actions = _strings(statement.get("actions"))
                if sid in NOT_EMRFS_STATEMENTS or not any(
                    a in ("s3:GetObject", "s3:PutObject") for a in actions
                ):
                    continue
                resources = evaluate(statement.get("resources"), scope)
                if not isinstance(resources, list) or not all(
                    isinstance(r, str) for r in resources
                ):
                    problems.append(
                        Problem(
                            "iam",
                            _where(document),
                            f"statement {sid}: resources cannot be evaluated",
                        )
                    )
                    continue
                for resource in resources:
                    if not resource.endswith("/*"):
                        continue
                    base = resource[:-2]
                    missing = [r for r in (base, base + "_$folder$") if r not in resources]
                    if missing:
                        problems.append(
                            Problem(
                                "iam",
                                _where(document),
                                f"statement {sid} grants {resource} but not {', '.join(missing)} "
                                "(EMRFS reads a prefix's own key and folder marker)",
                            )
                        )
    return problems


# The arguments naming a raw root a Glue job reads (through its bookmark, recursively):
# glue_jobs/star_schema_job.py's --raw_path and optional --tracks_path, glue_jobs/chart_job.py's
# --drop_path (both parse them with star_schema_job.parse_options).
GLUE_READ_ARGUMENTS = ("--raw_path", "--tracks_path", "--drop_path")
# Those naming the jobs' main inputs, which are in the raw bucket by the data contract.
RAW_ROOT_ARGUMENTS = ("--raw_path", "--drop_path")


def _s3_location(value: object) -> tuple[str, str | None] | None:
    """(bucket, key or None) of an evaluated S3 ARN or ``s3://`` URI, the key without a
    trailing slash. A bucket known only at apply time is named by what stands for it, less
    its attribute, so that ``<aws_s3_bucket.raw.arn>/x`` and ``s3://<aws_s3_bucket.raw.id>/x/``
    (or ``<var.raw_bucket_arn>`` and ``<var.raw_bucket_name>``) are one bucket."""
    if isinstance(value, Unknown):
        value = str(value)
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"(?:s3://|arn:[\w<>.-]+:s3:::|(?=<))(<[^<>]+>|[^/<>]+)(?:/(.*))?", value)
    if match is None:
        return None
    bucket = re.sub(r"(\.(arn|id|bucket))?>$", ">", match.group(1))
    bucket = re.sub(r"_(arn|name|id)>$", ">", bucket)
    return bucket, (match.group(2) or "").rstrip("/") or None


def _work_list_folder(drop_path: str) -> str:
    """The folder of the chart job's enrichment work lists, from the code that names them
    (``glue_jobs.charts_pipeline.work_list_path``: ``<raw>/enrichment/todo/charts-<run_id>.txt``)."""
    from glue_jobs.charts_pipeline import work_list_path

    return work_list_path(drop_path, "RUN").rsplit("/", 1)[0]


def glue_raw_needs(
    arguments: dict,
) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]], list[str]]:
    """What a Glue job does in the buckets it reads raw data from, given its arguments: the
    (action, bucket, key) grants it needs, those it needs or may have, and the arguments
    that are not S3 folders. Worked out from the code:

    - every root of :data:`GLUE_READ_ARGUMENTS` it is given is read with Glue's bookmark
      through EMRFS, which also reads the root's own key and its ``_$folder$`` marker:
      GetObject on ``<root>/*``, ``<root>`` and ``<root>_$folder$``;
    - the chart job (``--drop_path``) writes its enrichment work list, a file of
      :func:`_work_list_folder`, with one create through Hadoop's S3 file system, which
      probes the path first: PutObject on ``<folder>/*``, GetObject on ``<folder>/*``, the
      folder's own key and its marker. PutObject on those two (a marker EMRFS may write) and
      AbortMultipartUpload on all three (a failed upload's parts) are allowed, not needed.
    """
    needed: set[tuple[str, str, str]] = set()
    allowed: set[tuple[str, str, str]] = set()
    unknown: list[str] = []
    for name in GLUE_READ_ARGUMENTS:
        if name not in arguments:
            continue
        located = _s3_location(arguments[name])
        if located is None or located[1] is None:
            unknown.append(name)
            continue
        bucket, key = located
        needed |= {("s3:GetObject", bucket, k) for k in (f"{key}/*", key, f"{key}_$folder$")}
        if name == "--drop_path":
            todo = _s3_location(_work_list_folder(str(arguments[name])))
            if todo is None or todo[1] is None:
                unknown.append(name)
                continue
            bucket, key = todo
            forms = (f"{key}/*", key, f"{key}_$folder$")
            needed |= {("s3:GetObject", bucket, k) for k in forms}
            needed.add(("s3:PutObject", bucket, f"{key}/*"))
            allowed |= {("s3:PutObject", bucket, k) for k in forms}
            allowed |= {("s3:AbortMultipartUpload", bucket, k) for k in forms}
    return needed, needed | allowed, unknown


def _role_raw_grants(
    tree: Tree, module: Module, role: str, buckets: set[str], allowed: set[tuple[str, str, str]]
) -> tuple[set[tuple[str, str, str]], list[Problem]]:
    """The role's object grants in ``buckets`` that are ``allowed``, and a problem for each
    one that is not (a bucket-level resource, ListBucket's, is not an object grant)."""
    scope = Scope(tree, module)
    granted: set[tuple[str, str, str]] = set()
    problems: list[Problem] = []
    for policy in _companions(module, "aws_iam_role_policy", "role", f"aws_iam_role.{role}"):
        document = _policy_document(module, policy.body.get("policy"))
        if document is None:
            continue
        for statement in _statements(document):
            if literal_string(statement.get("effect")) == "Deny":
                continue
            sid = literal_string(statement.get("sid"))
            actions = [a for a in _strings(statement.get("actions")) if a.startswith("s3:")]
            resources = evaluate(statement.get("resources") or [], scope)
            for resource in resources if isinstance(resources, list) else [resources]:
                located = _s3_location(resource)
                if located is None or located[0] not in buckets or located[1] is None:
                    continue
                for action in actions:
                    if (action, *located) in allowed:
                        granted.add((action, *located))
                        continue
                    problems.append(
                        Problem(
                            "iam",
                            _where(document),
                            f"statement {sid} grants {action} on {resource}, which no Glue "
                            "job of the role needs (they read their raw roots and write only "
                            "the chart job's enrichment work lists)",
                        )
                    )
    return granted, problems


def _lambda_handoffs(tree: Tree, jobs: list[tuple[Instance, dict]]) -> list[Problem]:
    """The star-schema job reads track documents where the extract Lambda writes them, the
    chart job writes work lists where the Lambda reads them (its TRACKS_PREFIX and
    ENRICH_PREFIX through extract_lambda.enrich.EnrichSettings, as :func:`lambda_s3_needs`)."""
    functions = tree.all_resources("aws_lambda_function")
    if len(functions) != 1:
        return []
    module, function = functions[0]
    environment = evaluate(
        (_first(function.body, "environment") or {}).get("variables") or {}, Scope(tree, module)
    )
    environment = environment if isinstance(environment, dict) else {}
    settings = enrich_settings(environment)
    # Its RAW_BUCKET, when it can be told (else the folders alone are compared).
    raw = (
        _s3_location(f"s3://{environment['RAW_BUCKET']}/") if "RAW_BUCKET" in environment else None
    )
    problems: list[Problem] = []
    for job, arguments in jobs:
        meetings = []
        if "--tracks_path" in arguments:
            meetings.append(
                (
                    _s3_location(arguments["--tracks_path"]),
                    "reads track documents from",
                    settings.tracks_prefix.rstrip("/"),
                    "writes them to",
                    "TRACKS_PREFIX",
                )
            )
        if isinstance(arguments.get("--drop_path"), str):
            meetings.append(
                (
                    _s3_location(_work_list_folder(arguments["--drop_path"])),
                    "writes enrichment work lists to",
                    settings.todo_prefix.rstrip("/"),
                    "reads them from",
                    "ENRICH_PREFIX",
                )
            )
        for located, does, key, lambda_does, setting in meetings:
            bucket = raw[0] if raw else located[0] if located else ""
            if located is None or (located[0], located[1]) == (bucket, key):
                continue
            problems.append(
                Problem(
                    "iam",
                    job.where,
                    f"the job {does} {located[0]}/{located[1]}/, the extract Lambda "
                    f"{lambda_does} {bucket}/{key}/ ({setting})",
                )
            )
    return problems


def check_glue_raw_access(tree: Tree) -> list[Problem]:
    """The Glue job role's grants in the raw bucket are exactly what its jobs do there
    (:func:`glue_raw_needs` of each job's arguments): nothing missing, nothing more (no
    delete, no write outside the chart job's work-list folder); and the jobs meet the
    extract Lambda where it writes track documents and reads work lists."""
    problems: list[Problem] = []
    by_role: dict[tuple[str, str], tuple[Module, list[tuple[Instance, dict]]]] = {}
    for job in resource_instances(tree, "aws_glue_job"):
        role = _referenced(job.block.body.get("role_arn"), "aws_iam_role", "arn")
        arguments = job.evaluate("default_arguments", {})
        if role is not None and isinstance(arguments, dict):
            by_role.setdefault((str(job.module.path), role), (job.module, []))[1].append(
                (job, arguments)
            )
    for (_path, role), (module, jobs) in by_role.items():
        needed: set[tuple[str, str, str]] = set()
        allowed: set[tuple[str, str, str]] = set()
        for job, arguments in jobs:
            job_needed, job_allowed, unknown = glue_raw_needs(arguments)
            needed |= job_needed
            allowed |= job_allowed
            problems += [
                Problem("iam", job.where, f"{name} is not a folder of an S3 bucket")
                for name in unknown
            ]
        # Judged: the raw bucket, that of the jobs' main inputs (a --tracks_path elsewhere
        # must not put the curated bucket's grants on trial; it is reported as not granted).
        buckets = {
            located[0]
            for _job, arguments in jobs
            for name in RAW_ROOT_ARGUMENTS
            if (located := _s3_location(arguments.get(name)))
        }
        granted, extra = _role_raw_grants(tree, module, role, buckets, allowed)
        problems += extra
        problems += [
            Problem(
                "iam",
                f"aws_iam_role.{role} ({module.path.name})",
                f"the role lacks {action} on {bucket}/{key}, which its Glue jobs use",
            )
            for action, bucket, key in sorted(needed - granted)
        ]
        problems += _lambda_handoffs(tree, jobs)
    return problems


def _conditions(statement: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for condition in nested_blocks(statement, "condition"):
        variable = literal_string(condition.get("variable")) or ""
        found.setdefault(variable, []).append(condition)
    return found


def _service_principals(statement: dict, scope: Scope | None = None) -> list[str]:
    """The service principals of a statement: its literal identifiers, or, given the scope
    of the document's instance, its evaluated ones (identifiers = [each.value.service])."""
    found = []
    for p in nested_blocks(statement, "principals"):
        if literal_string(p.get("type")) != "Service":
            continue
        identifiers = evaluate(p.get("identifiers"), scope) if scope else None
        if isinstance(identifiers, list):
            found += [i for i in identifiers if isinstance(i, str)]
        else:
            found += _strings(p.get("identifiers"))
    return found


def _instances(tree: Tree, module: Module, block: Block) -> list[Scope]:
    """The scope of every instance of ``block`` (see :func:`hcl.instance_scopes`)."""
    return instance_scopes(tree, module, block)


def _names(tree: Tree, module: Module, block: Block, attribute: str = "alarm_name") -> list[object]:
    """``attribute`` of every instance of ``block`` (see :func:`_instances`)."""
    return [evaluate(block.body.get(attribute), s) for s in _instances(tree, module, block)]


def alarm_instances(tree: Tree) -> list[tuple[Block, object, dict]]:
    """(alarm, for_each key or None, evaluated arguments) of every metric alarm instance:
    an alarm declared once, or each entry of an alarm map such as the monitoring module's
    count alarms."""
    found = []
    for module, alarm in tree.all_resources("aws_cloudwatch_metric_alarm"):
        for scope in _instances(tree, module, alarm):
            values = evaluate(alarm.body, scope)
            values.pop("for_each", None)
            found.append((alarm, scope.each.get("key"), values))
    return found


SNS_CONTEXT = "kms:EncryptionContext:aws:sns:topicArn"


def check_key_policy_service_grants(tree: Tree) -> list[Problem]:
    """Service principals in a key policy are limited: each grant has a condition;
    CloudWatch alarms and EventBridge rules may use the key only for the alarm topic (SNS's
    encryption context), alarms only on behalf of this account's alarms (aws:SourceAccount,
    and an aws:SourceArn pattern that every declared alarm matches)."""
    problems: list[Problem] = []
    alarm_names = [
        name
        for m, a in tree.all_resources("aws_cloudwatch_metric_alarm")
        for name in _names(tree, m, a)
    ]
    for module, key in tree.all_resources("aws_kms_key"):
        document = _policy_document(module, key.body.get("policy"))
        if document is None:
            continue
        scope = Scope(tree, module)
        for statement in _statements(document):
            services = _service_principals(statement)
            if not services or literal_string(statement.get("effect")) == "Deny":
                continue
            conditions = _conditions(statement)
            sid = literal_string(statement.get("sid"))
            where = _where(document)
            if not conditions:
                problems.append(
                    Problem("kms", where, f"statement {sid} grants {services} with no condition")
                )
            publishers = {"cloudwatch.amazonaws.com", "events.amazonaws.com"} & set(services)
            if publishers and SNS_CONTEXT not in conditions:
                problems.append(
                    Problem(
                        "kms",
                        where,
                        f"statement {sid} lets {sorted(publishers)} use the key for any topic: "
                        f"no {SNS_CONTEXT} condition",
                    )
                )
            if "cloudwatch.amazonaws.com" in services:
                for key_name in ("aws:SourceAccount", "aws:SourceArn"):
                    if key_name not in conditions:
                        problems.append(
                            Problem(
                                "kms",
                                where,
                                f"statement {sid}: CloudWatch grant without {key_name}",
                            )
                        )
                patterns = [
                    v
                    for c in conditions.get("aws:SourceArn", [])
                    for v in evaluate(c.get("values"), scope) or []
                    if isinstance(v, str)
                ]
                for name in alarm_names:
                    if patterns and not any(
                        fnmatch.fnmatchcase(name, p.rpartition(":alarm:")[2]) for p in patterns
                    ):
                        problems.append(
                            Problem(
                                "kms",
                                where,
                                f"alarm {name} does not match the key policy's aws:SourceArn "
                                f"{patterns}: its notifications could not be encrypted",
                            )
                        )
    return problems


def check_scheduler_key_grants(tree: Tree) -> list[Problem]:
    """Roles EventBridge Scheduler assumes use the key only with an encryption context (the
    schedule's ARN for its payload, the queue's ARN for dead letters), never unconditioned."""
    problems: list[Problem] = []
    for module, role in tree.all_resources("aws_iam_role"):
        # The trust policy may be one instance of a for_each document (assume_role["scheduler"]).
        trust = _document_statements(tree, module, role.body.get("assume_role_policy"))
        if trust is None or not any(
            "scheduler.amazonaws.com" in _service_principals(s, scope) for s, scope in trust[1]
        ):
            continue
        address = f"aws_iam_role.{role.labels[1]}"
        for policy in _companions(module, "aws_iam_role_policy", "role", address):
            found = _document_statements(tree, module, policy.body.get("policy"))
            if found is None:
                continue
            document, statements = found
            for statement, _scope in statements:
                if not any(a.startswith("kms:") for a in _strings(statement.get("actions"))):
                    continue
                if not any(v.startswith("kms:EncryptionContext:") for v in _conditions(statement)):
                    problems.append(
                        Problem(
                            "kms",
                            _where(document),
                            f"statement {literal_string(statement.get('sid'))} of the Scheduler "
                            "role uses the key without an encryption-context condition",
                        )
                    )
    return problems


# PutMetricAlarm: "Period multiplied by EvaluationPeriods can't be more than 604,800
# seconds. For alarms with a period of less than one hour, the total evaluation period
# can't be longer than one day."
MAX_ALARM_WINDOW = 604_800
MAX_SHORT_PERIOD_WINDOW = 86_400


def check_alarm_windows(tree: Tree) -> list[Problem]:
    """Every alarm's window is one CloudWatch accepts, and datapoints_to_alarm fits it."""
    problems: list[Problem] = []
    for alarm, key, values in alarm_instances(tree):
        where = _where_instance(alarm, key)
        period = values.get("period")
        periods = values.get("evaluation_periods")
        datapoints = values.get("datapoints_to_alarm")
        if datapoints is None:  # unset: CloudWatch takes evaluation_periods
            datapoints = periods
        if not all(isinstance(v, int) for v in (period, periods, datapoints)):
            problems.append(Problem("monitoring", where, "period or evaluation_periods unknown"))
            continue
        limit = MAX_ALARM_WINDOW if period >= 3600 else MAX_SHORT_PERIOD_WINDOW
        if period * periods > limit:
            problems.append(
                Problem(
                    "monitoring",
                    where,
                    f"period x evaluation_periods = {period * periods} s exceeds CloudWatch's "
                    f"{limit} s for this period: PutMetricAlarm would refuse it",
                )
            )
        if not 1 <= datapoints <= periods:
            problems.append(
                Problem("monitoring", where, "datapoints_to_alarm not in 1..evaluation_periods")
            )
    return problems


# ---------------------------------------------------------------------------------------
# The pipeline's own metrics: glue_jobs/metric_names.py against the alarms and the wiring
# ---------------------------------------------------------------------------------------

METRIC_NAMES_FILE = Path("glue_jobs") / "metric_names.py"
# Code that publishes the metrics: it must take the names from METRIC_NAMES_FILE.
METRIC_EMITTERS = (Path("extract_lambda"), Path("glue_jobs") / "metrics.py")


def metric_names(path: Path) -> dict[str, object]:
    """The module-level constants of glue_jobs/metric_names.py (strings, and tuples of the
    names of other constants resolved to their strings), read with ``ast``, not imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    values: dict[str, object] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if not isinstance(target, ast.Name):
            continue
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            values[target.id] = node.value.value
        elif isinstance(node.value, ast.Tuple):
            values[target.id] = tuple(
                values.get(e.id) if isinstance(e, ast.Name) else getattr(e, "value", None)
                for e in node.value.elts
            )
    return values


def _custom_alarms(tree: Tree) -> list[tuple[str, str, str, dict, dict]]:
    """(where, namespace, metric name, dimensions, arguments) of the alarm instances on
    non-AWS/ namespaces, except those on a log metric filter's metric (the filter makes it,
    not the code)."""
    from_logs = {
        (transformation.get("namespace"), transformation.get("name"))
        for m, b in tree.all_resources("aws_cloudwatch_log_metric_filter")
        for transformation in [
            evaluate(_first(b.body, "metric_transformation") or {}, Scope(tree, m))
        ]
    }
    found = []
    for alarm, key, values in alarm_instances(tree):
        namespace, name = values.get("namespace"), values.get("metric_name")
        if not isinstance(namespace, str) or namespace.startswith("AWS/"):
            continue
        if not isinstance(name, str) or (namespace, name) in from_logs:
            continue
        dimensions = values.get("dimensions")
        dimensions = dimensions if isinstance(dimensions, dict) else {}
        found.append((_where_instance(alarm, key), namespace, name, dimensions, values))
    return found


def check_metric_alarms(tree: Tree) -> list[Problem]:
    """The alarms on the pipeline's metrics use the names and dimensions the code publishes
    (glue_jobs/metric_names.py), in the namespace the Lambda and the job are given, and the
    alarms of the metrics contract exist (the enrichment's TracksFailed among them)."""
    source = tree.base.parent / METRIC_NAMES_FILE
    if not source.is_file():
        return [Problem("metrics", str(source), "missing: the metric names have no source")]
    names = metric_names(source)
    # The Lambda's two tasks publish in the same namespace, as the same service.
    lambda_metrics = set(names.get("LAMBDA_METRICS") or ()) | set(names.get("ENRICH_METRICS") or ())
    glue_metrics = set(names.get("GLUE_METRICS") or ())
    per_reason = {names.get("PLAYLISTS_FAILED_BY_REASON"), names.get("TRACKS_FAILED_BY_REASON")}
    problems: list[Problem] = []
    alarms = _custom_alarms(tree)
    for where, _namespace, metric, dimensions, _values in alarms:
        if metric in lambda_metrics:
            expected = {names["LAMBDA_SERVICE_DIMENSION"]: names["LAMBDA_SERVICE"]}
            if metric in per_reason:
                expected = None  # per-reason series: an alarm would need the Reason too
            if expected is not None and dimensions != expected:
                problems.append(
                    Problem(
                        "metrics",
                        where,
                        f"{metric} is published with dimensions {expected}, the alarm selects {dimensions}",
                    )
                )
        elif metric in glue_metrics:
            if set(dimensions) != {names["GLUE_JOB_DIMENSION"]}:
                problems.append(
                    Problem(
                        "metrics",
                        where,
                        f"{metric} is published per {names['GLUE_JOB_DIMENSION']!r}, the alarm "
                        f"selects {sorted(dimensions)}",
                    )
                )
        else:
            problems.append(
                Problem(
                    "metrics",
                    where,
                    f"the code publishes no metric {metric!r} ({METRIC_NAMES_FILE} lists "
                    f"{sorted(lambda_metrics | glue_metrics)})",
                )
            )
    by_metric = {metric: values for _w, _n, metric, _d, values in alarms}
    constants = ["PLAYLISTS_FAILED", "FILES_QUARANTINED", "DATA_QUALITY_FAILURES"]
    if names.get("TRACKS_FAILED"):  # the enrichment's failed ids, once it publishes them
        constants.append("TRACKS_FAILED")
    for constant in constants:
        alarm = by_metric.get(names.get(constant))
        if alarm is None or not (
            alarm.get("comparison_operator") == "GreaterThanThreshold"
            and alarm.get("threshold") == 0
            and alarm.get("alarm_actions")
        ):
            problems.append(
                Problem(
                    "metrics",
                    str(tree.base),
                    f"no alarm with actions on {names.get(constant)} > 0",
                )
            )
    success = by_metric.get(names.get("SUCCESSFUL_RUNS"))
    if success is None or not (
        success.get("treat_missing_data") == "breaching"
        and success.get("comparison_operator") == "LessThanThreshold"
        and success.get("threshold") == 1
        and success.get("alarm_actions")
    ):
        problems.append(
            Problem(
                "metrics",
                str(tree.base),
                f"no alarm with actions on missing {names.get('SUCCESSFUL_RUNS')} "
                "(< 1, missing data breaching)",
            )
        )
    namespaces = {namespace for _w, namespace, _m, _d, _v in alarms}
    problems.extend(_check_metric_wiring(tree, names, namespaces))
    return problems


def _check_metric_wiring(
    tree: Tree, names: dict[str, object], namespaces: set[str]
) -> list[Problem]:
    """The Lambda and the job publish to the alarms' namespace, as the service they select."""
    problems: list[Problem] = []
    for module, function in tree.all_resources("aws_lambda_function"):
        environment = _first(function.body, "environment") or {}
        variables = evaluate(environment.get("variables") or {}, Scope(tree, module))
        variables = variables if isinstance(variables, dict) else {}
        if variables.get("POWERTOOLS_SERVICE_NAME") != names.get("LAMBDA_SERVICE"):
            problems.append(
                Problem(
                    "metrics",
                    _where(function),
                    f"POWERTOOLS_SERVICE_NAME is not {names.get('LAMBDA_SERVICE')!r}",
                )
            )
        if variables.get("POWERTOOLS_METRICS_NAMESPACE") not in namespaces:
            problems.append(
                Problem(
                    "metrics",
                    _where(function),
                    f"POWERTOOLS_METRICS_NAMESPACE is not the alarms' namespace {sorted(namespaces)}",
                )
            )
    for job in resource_instances(tree, "aws_glue_job"):
        arguments = job.evaluate("default_arguments", {})
        arguments = arguments if isinstance(arguments, dict) else {}
        if arguments.get("--metrics_namespace") not in namespaces:
            problems.append(
                Problem(
                    "metrics",
                    job.where,
                    f"--metrics_namespace is not the alarms' namespace {sorted(namespaces)}",
                )
            )
    return problems


def check_metric_sources(tree: Tree) -> list[Problem]:
    """Code that publishes the metrics takes their names from glue_jobs/metric_names.py
    instead of writing them again (a quoted metric name elsewhere is a second source)."""
    repo = tree.base.parent
    source = repo / METRIC_NAMES_FILE
    if not source.is_file():
        return []
    names = metric_names(source)
    metrics = {
        metric
        for group in ("LAMBDA_METRICS", "ENRICH_METRICS", "GLUE_METRICS")
        for metric in names.get(group) or ()
    }
    files = [
        f
        for emitter in METRIC_EMITTERS
        for f in ([repo / emitter] if emitter.suffix else sorted((repo / emitter).glob("*.py")))
        if f.is_file()
    ]
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for metric in sorted(metrics):
            if re.search(rf"[\"']{re.escape(metric)}[\"']", text):
                problems.append(
                    Problem(
                        "metrics",
                        str(path),
                        f"writes the metric name {metric!r} itself: import it from glue_jobs.metric_names",
                    )
                )
    return problems


ALL = (
    check_buckets,
    check_raw_bucket,
    check_bucket_notifications,
    check_lambda,
    check_secrets_encrypted,
    check_glue,
    check_encryption,
    check_schedules,
    check_athena,
    check_monitoring,
    check_no_wildcard_permissions,
    check_on_demand_triggers,
    check_glue_job_log_groups,
    check_glue_prefix_grants,
    check_glue_raw_access,
    check_key_policy_service_grants,
    check_scheduler_key_grants,
    check_alarm_windows,
    check_metric_alarms,
    check_metric_sources,
)


def run(tree: Tree) -> list[Problem]:
    problems: list[Problem] = []
    for check in ALL:
        problems.extend(check(tree))
    return problems
