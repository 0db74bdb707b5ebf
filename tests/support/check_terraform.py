"""Static checks of terraform/ that need no terraform binary (run by tests/ops_files.rs).

Terraform cannot be installed here, so this parses every file with python-hcl2 and checks what
`terraform validate` would catch between modules, plus a few rules of this repository:

- every .tf (and .tfvars example) file parses;
- every `var.X` a module uses is declared in it, every `local.X` is defined in it;
- every variable and output has a description, every variable a type;
- every `module` block with a local source points at a module directory, passes every
  variable of that module that has no default, and passes nothing the module does not declare;
- every `module.NAME.OUTPUT` refers to a module block of the same directory and an output the
  called module declares;
- every file read with file() or templatefile() exists, and every variable a template uses is
  passed to templatefile();
- the hub and region modules read the repository's own NATS configurations
  (nats/conf/hub.conf and nats/conf/region.conf) rather than copies;
- every $EDGEHOOK_* variable in the NATS configuration files a module hands to
  modules/nats-cluster (the base, its includes, cluster.conf) is in the servers' environment
  (what nats-cluster sets plus the caller's `environment` and `secret_environment`, the latter
  fetched from Secrets Manager at each start), and the caller sets nothing unused, nor a
  variable in both: nats-server refuses to start on a variable it cannot resolve;
- every call of modules/edgehook-service gives its service the environment variables the
  edgehook binary cannot start without there (SERVICE_REQUIRED_ENVIRONMENT), and the secret
  ones (SECRET_VARIABLES) only through `secret_environment`, never in the user data;
- every database (aws_db_instance, aws_rds_cluster) has encrypted storage, is not publicly
  accessible, sits in a subnet group of private subnets, and has no password argument (the
  password is write-only or managed by RDS: in no variable, output or state); no output reads a
  secret's value or an ephemeral one;
- the hub runs the history writer (`edgehook history`) and creates its database, and its control
  plane reads history from it (EDGEHOOK_HISTORY_URL).

Usage: check_terraform.py <terraform dir>. Prints what it checked; exits 1 listing every problem.
"""

import re
import sys
from pathlib import Path

import hcl2

# A module call's arguments that are not the module's variables.
MODULE_META_ARGUMENTS = {"source", "version", "providers", "count", "for_each", "depends_on"}
# Each module must read this repository file (relative to the repository root).
REQUIRED_READS = {
    "modules/hub": "nats/conf/hub.conf",
    "modules/region": "nats/conf/region.conf",
}
# The module that runs NATS servers, and the local holding the environment it gives them.
NATS_CLUSTER_MODULE = "modules/nats-cluster"
NATS_SERVER_ENVIRONMENT_LOCAL = "server_environment"
# The module that runs edgehook services, and what each service must be given (its
# environment plus its secret_environment): the flags src/cli.rs declares without a default,
# and EDGEHOOK_NATS_URL (its default, 127.0.0.1, has no NATS server on a service's instance).
SERVICE_MODULE = "modules/edgehook-service"
SERVICE_REQUIRED_ENVIRONMENT = {
    "control-plane": {"EDGEHOOK_NATS_URL", "EDGEHOOK_JWT_SECRET", "EDGEHOOK_SECRETS_KEY"},
    "ingest": {"EDGEHOOK_NATS_URL", "EDGEHOOK_SECRETS_KEY"},
    "router": {"EDGEHOOK_NATS_URL"},
    "relay": {"EDGEHOOK_NATS_URL", "EDGEHOOK_SECRETS_KEY"},
    "history": {"EDGEHOOK_NATS_URL", "EDGEHOOK_HISTORY_URL"},
}
# What the hub module must run besides: the history writer, a database for it, and a control plane
# that reads history from that database.
HUB_MODULE = "modules/hub"
HUB_HISTORY_SERVICE = "history"
HUB_HISTORY_READERS = {"control-plane": "EDGEHOOK_HISTORY_URL"}
DATABASE_RESOURCES = ("aws_db_instance", "aws_rds_cluster")
# Arguments that would put a database password in the configuration (and so the state).
DATABASE_PASSWORD_ARGUMENTS = ("password", "master_password")
# Variables whose values are secrets: from Secrets Manager (secret_environment) only.
SECRET_VARIABLES = {
    "EDGEHOOK_JWT_SECRET",
    "EDGEHOOK_SECRETS_KEY",
    "EDGEHOOK_NATS_AUTH_SEED",
    "EDGEHOOK_REDIS_PASSWORD",
    "EDGEHOOK_HISTORY_URL",
}
# Names a template may use without templatefile() passing them.
TEMPLATE_BUILTINS = {"true", "false", "null"}


def unquote(label):
    """python-hcl2 keeps the quotes of block labels and string values: '"x"' -> 'x'."""
    if isinstance(label, str) and len(label) >= 2 and label[0] == label[-1] == '"':
        return label[1:-1]
    return label


def strings_in(value):
    """Every string anywhere inside a parsed HCL value (expressions are strings)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("__"):  # python-hcl2's bookkeeping (__is_block__, __comments__)
                continue
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def split_top_level(text, separator):
    """Splits on `separator` outside brackets, parentheses, braces and string literals."""
    parts, depth, current, in_string, escaped = [], 0, [], False, False
    for char in text:
        if in_string:
            current.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts]


def function_calls(expression, name):
    """The argument lists of every call to function `name` in an expression string."""
    calls = []
    for match in re.finditer(r"\b%s\(" % re.escape(name), expression):
        depth, start = 0, match.end()
        for position in range(start, len(expression)):
            char = expression[position]
            if char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    calls.append(split_top_level(expression[start:position], ","))
                    break
                depth -= 1
    return calls


class Module:
    """One directory of .tf files, parsed."""

    def __init__(self, directory, root):
        self.directory = directory
        self.name = directory.relative_to(root).as_posix()
        self.variables = {}  # name -> block
        self.outputs = {}
        self.locals = {}  # name -> expression
        self.module_calls = {}  # name -> block
        self.resources = {}  # (type, name) -> block
        self.expressions = []  # (file, expression string)

    def add_file(self, path, parsed):
        for block in parsed.get("variable", []):
            for name, body in block.items():
                self.variables[unquote(name)] = body
        for block in parsed.get("output", []):
            for name, body in block.items():
                self.outputs[unquote(name)] = body
        for block in parsed.get("locals", []):
            self.locals.update((key, value) for key, value in block.items() if not key.startswith("__"))
        for block in parsed.get("module", []):
            for name, body in block.items():
                self.module_calls[unquote(name)] = body
        for block in parsed.get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    self.resources[(unquote(kind), unquote(name))] = body
        for expression in strings_in(parsed):
            self.expressions.append((path, expression))


class Checker:
    def __init__(self, terraform_dir):
        self.root = terraform_dir.resolve()
        self.repository = self.root.parent
        self.problems = []
        self.checked = []
        self.modules = {}

    def problem(self, where, message):
        self.problems.append(f"{where}: {message}")

    def parse(self):
        files = sorted(self.root.rglob("*.tf"))
        examples = sorted(self.root.rglob("*.tfvars.example"))
        if not files:
            self.problem(self.root, "no .tf files")
        for path in files + examples:
            try:
                with path.open() as handle:
                    parsed = hcl2.load(handle)
            except Exception as error:  # python-hcl2 raises several exception types
                self.problem(path.relative_to(self.root), f"does not parse: {error}")
                continue
            if path.suffix == ".tf":
                directory = path.parent
                module = self.modules.setdefault(directory, Module(directory, self.root))
                module.add_file(path.relative_to(self.root), parsed)
        self.checked.append(f"parsed {len(files)} .tf files and {len(examples)} .tfvars examples "
                            f"in {len(self.modules)} module directories")

    def check_declarations(self, module):
        for name, body in module.variables.items():
            if "description" not in body:
                self.problem(module.name, f"variable {name} has no description")
            if "type" not in body:
                self.problem(module.name, f"variable {name} has no type")
        for name, body in module.outputs.items():
            if "description" not in body:
                self.problem(module.name, f"output {name} has no description")
        used_variables, used_locals = set(), set()
        for path, expression in module.expressions:
            for name in re.findall(r"(?<![\w.])var\.([A-Za-z_][\w-]*)", expression):
                used_variables.add(name)
                if name not in module.variables:
                    self.problem(path, f"var.{name} is not declared in {module.name}")
            for name in re.findall(r"(?<![\w.])local\.([A-Za-z_][\w-]*)", expression):
                used_locals.add(name)
                if name not in module.locals:
                    self.problem(path, f"local.{name} is not defined in {module.name}")
        for name in sorted(set(module.variables) - used_variables):
            self.problem(module.name, f"variable {name} is declared but never used")
        self.checked.append(f"{module.name}: {len(used_variables)} variables and "
                            f"{len(used_locals)} locals used, all declared")

    def check_module_calls(self, module):
        calls = {}
        for call_name, body in module.module_calls.items():
            source = unquote(body.get("source", ""))
            if not source.startswith(("./", "../")):
                self.checked.append(f"{module.name}: module {call_name} comes from a registry "
                                    f"({source}); its inputs are not checked here")
                continue
            target_dir = (module.directory / source).resolve()
            target = self.modules.get(target_dir)
            if target is None:
                self.problem(module.name, f"module {call_name}: source {source} is not a module "
                                          "directory of terraform/")
                continue
            calls[call_name] = target
            passed = {key for key in body if not key.startswith("__")} - MODULE_META_ARGUMENTS
            for name in sorted(passed - set(target.variables)):
                self.problem(module.name, f"module {call_name} passes {name}, which "
                                          f"{target.name} does not declare")
            required = {name for name, declared in target.variables.items() if "default" not in declared}
            for name in sorted(required - passed):
                self.problem(module.name, f"module {call_name} does not pass {name}, which "
                                          f"{target.name} requires (no default)")
            self.checked.append(f"{module.name}: module {call_name} -> {target.name}: "
                                f"{len(passed)} inputs, {len(required)} required")
        for path, expression in module.expressions:
            for call_name, output in re.findall(r"(?<![\w.])module\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)", expression):
                if call_name not in module.module_calls:
                    self.problem(path, f"module.{call_name} is not a module block of {module.name}")
                elif call_name in calls and output not in calls[call_name].outputs:
                    self.problem(path, f"module.{call_name}.{output}: {calls[call_name].name} has "
                                       f"no output {output}")

    def resolve_path(self, module, path_expression, where):
        """The file a file()/templatefile() path argument names, or None with a problem."""
        literal = unquote(path_expression)
        if not literal.startswith("${path.module}/"):
            self.problem(where, f"{path_expression}: file paths must start with ${{path.module}}/")
            return None
        return (module.directory / literal[len("${path.module}/"):]).resolve()

    def check_files(self, module):
        read = set()
        for path, expression in module.expressions:
            for arguments in function_calls(expression, "file"):
                target = self.resolve_path(module, arguments[0], path)
                if target is None:
                    continue
                if not target.is_file():
                    self.problem(path, f"file({arguments[0]}) reads {target}, which does not exist")
                read.add(target)
            for arguments in function_calls(expression, "templatefile"):
                target = self.resolve_path(module, arguments[0], path)
                if target is None:
                    continue
                if not target.is_file():
                    self.problem(path, f"templatefile({arguments[0]}) reads {target}, which does not exist")
                    continue
                read.add(target)
                self.check_template_variables(path, target, arguments[1] if len(arguments) > 1 else "{}")
        required = REQUIRED_READS.get(module.name)
        if required is not None:
            wanted = (self.repository / required).resolve()
            if wanted not in read:
                self.problem(module.name, f"does not read the repository's {required}")
            else:
                self.checked.append(f"{module.name}: reads the repository's {required}")
        if read:
            self.checked.append(f"{module.name}: {len(read)} files read, all present")

    def check_template_variables(self, where, template, variables_expression):
        """Every name the template interpolates is passed (or bound by a %{ for })."""
        body = variables_expression.strip()
        if not (body.startswith("{") and body.endswith("}")):
            self.checked.append(f"{where}: templatefile variables of {template.name} are not a "
                                "literal object; not checked")
            return
        passed = {entry.split("=", 1)[0].strip().strip('"')
                  for entry in split_top_level(body[1:-1], ",") if "=" in entry}
        text = template.read_text()
        # $${ and %%{ are escapes: what they introduce is not a template expression.
        text = text.replace("$${", "").replace("%%{", "")
        bound = set()
        for names in re.findall(r"%\{~?\s*for\s+([\w\s,]+?)\s+in\s", text):
            bound.update(name.strip() for name in names.split(","))
        used = set()
        for expression in re.findall(r"[$%]\{~?(.*?)~?\}", text):
            expression = re.sub(r'"[^"]*"', "", expression)  # string literals name nothing
            for name in re.findall(r"(?<![\w.])([A-Za-z_]\w*)\b(?!\s*\()", expression):
                used.add(name)
        keywords = {"for", "in", "endfor", "if", "else", "endif"}
        missing = sorted(used - passed - bound - keywords - TEMPLATE_BUILTINS)
        for name in missing:
            self.problem(where, f"template {template.name} uses {name}, which templatefile() does not pass")
        if not missing:
            self.checked.append(f"{where}: template {template.name} gets all {len(used - bound - keywords)} "
                                "variables it uses")

    def check_nats_environment(self):
        cluster = self.modules.get((self.root / NATS_CLUSTER_MODULE).resolve())
        if cluster is None:
            self.problem(NATS_CLUSTER_MODULE, "missing")
            return
        server_environment = str(cluster.locals.get(NATS_SERVER_ENVIRONMENT_LOCAL, ""))
        set_by_cluster = set(re.findall(r"\b(EDGEHOOK_\w+)\s*=", server_environment))
        if not set_by_cluster:
            self.problem(NATS_CLUSTER_MODULE, f"local.{NATS_SERVER_ENVIRONMENT_LOCAL} sets no EDGEHOOK_* variable")
        cluster_files = sorted((cluster.directory / "conf").glob("*.conf"))
        for module in self.modules.values():
            for call_name, body in module.module_calls.items():
                source = unquote(body.get("source", ""))
                if (module.directory / source).resolve() != cluster.directory:
                    continue
                where = f"{module.name}: module {call_name}"
                config_expressions = [body.get("base_config", "")]
                includes = body.get("config_includes", {})
                config_expressions += list(includes.values()) if isinstance(includes, dict) else []
                files = list(cluster_files)
                for expression in config_expressions:
                    calls = function_calls(str(expression), "file")
                    if not calls:
                        self.problem(where, f"{expression}: NATS configuration must be read with file()")
                        continue
                    target = self.resolve_path(module, calls[0][0], where)
                    if target is not None and target.is_file():
                        files.append(target)
                environment = body.get("environment", {})
                plain = set(environment) if isinstance(environment, dict) else set()
                secret_environment = body.get("secret_environment", {})
                secret = set(secret_environment) if isinstance(secret_environment, dict) else set()
                for name in sorted(plain & secret):
                    self.problem(where, f"{name} is in both environment and secret_environment")
                set_by_caller = plain | secret
                available = set_by_cluster | set_by_caller
                used = set()
                for path in files:
                    for number, line in enumerate(path.read_text().splitlines(), 1):
                        code = line.split("#", 1)[0]
                        for name in re.findall(r"\$(EDGEHOOK_\w+)", code):
                            used.add(name)
                            if name not in available:
                                self.problem(where, f"{path.relative_to(self.repository)}:{number} reads "
                                                    f"${name}, which no one puts in the servers' environment")
                for name in sorted(set_by_caller - used):
                    which = "secret_environment" if name in secret else "environment"
                    self.problem(where, f"{which} sets {name}, which no NATS configuration file reads")
                self.checked.append(f"{where}: the {len(used)} EDGEHOOK_* variables of "
                                    f"{len(files)} NATS configuration files are all set "
                                    f"({len(used & secret)} from Secrets Manager)")

    def environment_names(self, module, value, seen=frozenset()):
        """The EDGEHOOK_* variable names an environment map sets: the keys of a literal map, or
        of the literal maps and locals an expression (merge(local.x, {...})) combines."""
        if isinstance(value, dict):
            return {key for key in value if key.startswith("EDGEHOOK_")}
        if not isinstance(value, str):
            return set()
        names = set(re.findall(r"(?<![\w\"])(EDGEHOOK_\w+)\s*=(?!=)", value))
        for name in re.findall(r"(?<![\w.])local\.([A-Za-z_][\w-]*)", value):
            if name in module.locals and name not in seen:
                names |= self.environment_names(module, module.locals[name], seen | {name})
        return names

    def check_service_environment(self):
        service_dir = (self.root / SERVICE_MODULE).resolve()
        if service_dir not in self.modules:
            self.problem(SERVICE_MODULE, "missing")
            return
        for module in self.modules.values():
            for call_name, body in module.module_calls.items():
                source = unquote(body.get("source", ""))
                if (module.directory / source).resolve() != service_dir:
                    continue
                where = f"{module.name}: module {call_name}"
                service = unquote(body.get("service", ""))
                if service not in SERVICE_REQUIRED_ENVIRONMENT:
                    self.problem(where, f"service {service!r} is not one of "
                                        f"{', '.join(sorted(SERVICE_REQUIRED_ENVIRONMENT))}")
                    continue
                plain = self.environment_names(module, body.get("environment", {}))
                secret = self.environment_names(module, body.get("secret_environment", {}))
                for name in sorted(SERVICE_REQUIRED_ENVIRONMENT[service] - plain - secret):
                    self.problem(where, f"edgehook {service} needs {name}, which neither environment "
                                        "nor secret_environment sets")
                for name in sorted(plain & SECRET_VARIABLES):
                    self.problem(where, f"{name} is a secret: it belongs in secret_environment, "
                                        "not in environment (the user data)")
                for name in sorted(plain & secret):
                    self.problem(where, f"{name} is in both environment and secret_environment")
                self.checked.append(f"{where}: edgehook {service} gets the "
                                    f"{len(SERVICE_REQUIRED_ENVIRONMENT[service])} variables it needs "
                                    f"({len(plain)} set in environment, {len(secret)} from Secrets Manager)")

    def check_databases(self, module):
        for (kind, name), body in module.resources.items():
            if kind not in DATABASE_RESOURCES:
                continue
            where = f"{module.name}: {kind}.{name}"
            if body.get("storage_encrypted") is not True:
                self.problem(where, "is not encrypted: set storage_encrypted = true")
            if kind == "aws_db_instance" and body.get("publicly_accessible") is not False:
                self.problem(where, "may be publicly accessible: set publicly_accessible = false")
            for argument in DATABASE_PASSWORD_ARGUMENTS:
                if argument in body:
                    self.problem(where, f"sets {argument}, which Terraform keeps in its state: use "
                                        f"{argument}_wo or manage_master_user_password")
            group = re.fullmatch(r"\$\{aws_db_subnet_group\.([\w-]+)\.(name|id)\}",
                                 str(body.get("db_subnet_group_name", "")))
            subnets = group and module.resources.get(("aws_db_subnet_group", group.group(1)))
            if not subnets:
                self.problem(where, "is not in an aws_db_subnet_group of this module")
            elif "private" not in str(subnets.get("subnet_ids", "")) or "public" in str(subnets.get("subnet_ids", "")):
                self.problem(where, f"subnet group {group.group(1)} is not private subnets only: "
                                    f"{subnets.get('subnet_ids')}")
            else:
                self.checked.append(f"{where}: encrypted, not publicly accessible, private subnets, "
                                    "no password in the configuration")
        for name, body in module.outputs.items():
            value = str(body.get("value", ""))
            if re.search(r"\bephemeral\.|\.secret_string\b|\.random_password\b|\.password\b", value):
                self.problem(module.name, f"output {name} gives out a secret's value: {value}")

    def check_hub_history(self):
        hub = self.modules.get((self.root / HUB_MODULE).resolve())
        service_dir = (self.root / SERVICE_MODULE).resolve()
        if hub is None:
            return
        services = {}
        for body in hub.module_calls.values():
            if (hub.directory / unquote(body.get("source", ""))).resolve() == service_dir:
                services[unquote(body.get("service", ""))] = body
        if HUB_HISTORY_SERVICE not in services:
            self.problem(HUB_MODULE, f"runs no history writer (a {SERVICE_MODULE} call with service "
                                     f"= \"{HUB_HISTORY_SERVICE}\")")
        if not any(kind in DATABASE_RESOURCES for kind, _ in hub.resources):
            self.problem(HUB_MODULE, "creates no history database (aws_db_instance or aws_rds_cluster)")
        for service, variable in HUB_HISTORY_READERS.items():
            body = services.get(service)
            if body is None:
                continue
            if variable not in self.environment_names(hub, body.get("secret_environment", {})):
                self.problem(HUB_MODULE, f"the {service} is not given {variable} (from Secrets Manager): "
                                         "it would read history from JetStream, not the database")
        self.checked.append(f"{HUB_MODULE}: runs the history writer, creates its database, the "
                            "control plane reads history from it")

    def run(self):
        self.parse()
        for module in self.modules.values():
            self.check_declarations(module)
            self.check_module_calls(module)
            self.check_files(module)
            self.check_databases(module)
        self.check_hub_history()
        self.check_nats_environment()
        self.check_service_environment()
        for modules_dir, required in REQUIRED_READS.items():
            if (self.root / modules_dir).resolve() not in self.modules:
                self.problem(modules_dir, f"missing (it must deploy {required})")
        for line in self.checked:
            print(f"checked  {line}")
        for line in self.problems:
            print(f"PROBLEM  {line}")
        if self.problems:
            print(f"{len(self.problems)} problems in {self.root}")
            return 1
        print(f"terraform/ is consistent ({len(self.checked)} checks)")
        return 0


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    return Checker(Path(sys.argv[1])).run()


if __name__ == "__main__":
    sys.exit(main())
