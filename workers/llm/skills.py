"""A curated list of common skills, found in free text without a language model.

The offline writer and parser use it to suggest and extract skills. Matching is
case-insensitive and word-boundary aware, except for names that are also ordinary words
("Go", "REST", "Excel", "Spring"): those are matched case-sensitively, and the one- or
two-letter ones ("Go", "C", "R") not at the start of a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

# "Canonical|alias|alias"; a leading "=" makes that term case-sensitive.
_CATALOGUE = (
    # Languages
    "Python", "Java", "JavaScript", "TypeScript", "=C", "C++|cpp", "C#|C Sharp",
    "=Go|Golang", "Rust", "Ruby", "PHP", "Kotlin", "=Swift", "Scala", "=R", "MATLAB",
    "Perl", "Haskell", "Elixir", "Erlang", "Clojure", "Dart", "Lua", "Objective-C",
    "Bash|shell scripting", "PowerShell", "SQL", "HTML|HTML5", "CSS|CSS3", "Sass|SCSS",
    "Solidity", "COBOL", "Fortran", "Verilog", "VHDL",
    # Frameworks and libraries
    "React|React.js|ReactJS", "React Native", "Angular", "Vue.js|Vue|VueJS", "Svelte",
    "Next.js|NextJS", "Nuxt|Nuxt.js", "Node.js|NodeJS", "Express.js|ExpressJS", "Django",
    "Flask", "FastAPI", "Spring Boot", "=Spring", "Ruby on Rails|=Rails", "Laravel",
    "Symfony", "ASP.NET", ".NET|dotnet", "jQuery", "Tailwind CSS|Tailwind", "=Bootstrap",
    "Redux", "RxJS", "GraphQL", "gRPC", "Celery", "Flutter", "Unity", "Unreal Engine",
    "=Qt", "Electron", "Pandas", "NumPy", "scikit-learn|sklearn", "PyTorch",
    "TensorFlow", "Keras", "Hugging Face",
    # Data stores and streaming
    "PostgreSQL|Postgres", "MySQL", "SQLite", "MongoDB", "Redis", "Elasticsearch",
    "Cassandra", "DynamoDB", "=Oracle", "SQL Server|MSSQL", "Neo4j", "Snowflake",
    "BigQuery", "Redshift", "Kafka|Apache Kafka", "RabbitMQ",
    "Apache Spark|=Spark|PySpark", "Hadoop", "Airflow|Apache Airflow", "dbt",
    "Databricks",
    # Cloud and operations
    "AWS|Amazon Web Services", "Azure|Microsoft Azure", "Google Cloud|GCP",
    "Heroku", "Docker", "Kubernetes|k8s", "Helm", "Terraform", "Ansible", "Linux",
    "Nginx", "CI/CD", "Jenkins", "GitHub Actions", "GitLab CI", "Prometheus", "Grafana",
    "Datadog", "Serverless", "Microservices", "DevOps", "MLOps", "Git", "Maven",
    # Practices and engineering topics
    "REST APIs|=REST|RESTful", "System Design", "Distributed Systems", "Data Structures",
    "Algorithms", "Object-Oriented Programming|OOP", "Design Patterns", "Unit Testing",
    "Test Automation|automated testing|automated tests", "Manual Testing",
    "TDD|test-driven development",
    "Code Review|code reviews", "Selenium", "Cypress", "Playwright", "Jest", "pytest",
    "JUnit", "Embedded Systems", "Networking", "TCP/IP", "Cybersecurity|cyber security",
    "Network Security", "Penetration Testing", "OWASP", "SIEM",
    # Data and AI
    "Machine Learning|=ML", "Deep Learning", "NLP|natural language processing",
    "Computer Vision", "Generative AI|GenAI", "LLMs|large language models", "Statistics",
    "Data Analysis", "Data Modeling|data modelling", "Data Visualization|data visualisation",
    "ETL", "Tableau", "Power BI", "Looker", "Microsoft Excel|=Excel", "A/B Testing",
    # Design, product, business tools
    "Figma", "UX Design|=UX", "UI Design", "User Research", "Prototyping",
    "Adobe Photoshop|=Photoshop", "Agile", "Scrum", "Kanban", "Jira", "Confluence",
    "SEO", "Google Analytics", "Content Marketing", "Salesforce", "HubSpot", "Zendesk",
    "=SAP", "QuickBooks",
    # People skills
    "Communication|communication skills", "Teamwork", "Collaboration", "Leadership",
    "Mentoring", "Problem Solving|problem-solving", "Critical Thinking",
    "Time Management", "Attention to Detail", "Adaptability", "Stakeholder Management",
    "Project Management", "Product Management", "Negotiation", "Customer Service",
    "Public Speaking",
)  # fmt: skip

# Skills that usually come with another one; used to suggest what a description lacks.
RELATED: dict[str, tuple[str, ...]] = {
    "Python": ("Django", "FastAPI", "pytest", "SQL"),
    "Java": ("Spring Boot", "JUnit", "Maven", "Kotlin"),
    "JavaScript": ("TypeScript", "React", "Node.js", "Jest"),
    "TypeScript": ("React", "Node.js", "Jest"),
    "React": ("TypeScript", "Redux", "Next.js", "Jest"),
    "Angular": ("TypeScript", "RxJS", "Jest"),
    "Vue.js": ("TypeScript", "Nuxt", "Jest"),
    "Node.js": ("TypeScript", "Express.js", "PostgreSQL", "Docker"),
    "Django": ("PostgreSQL", "Celery", "Redis", "REST APIs"),
    "Go": ("Docker", "Kubernetes", "gRPC", "PostgreSQL"),
    "Rust": ("Linux", "C++", "Distributed Systems"),
    "C++": ("C", "Linux", "Data Structures", "Algorithms"),
    "C#": (".NET", "ASP.NET", "SQL Server", "Azure"),
    "AWS": ("Terraform", "Docker", "Kubernetes", "CI/CD"),
    "Azure": ("Terraform", "Docker", "Kubernetes", "PowerShell"),
    "Google Cloud": ("Terraform", "Kubernetes", "BigQuery"),
    "Docker": ("Kubernetes", "CI/CD", "Linux"),
    "Kubernetes": ("Helm", "Terraform", "Prometheus"),
    "SQL": ("PostgreSQL", "Data Modeling", "ETL"),
    "Machine Learning": ("Python", "PyTorch", "scikit-learn", "Statistics", "MLOps"),
    "Data Analysis": ("SQL", "Python", "Tableau", "Statistics"),
    "Selenium": ("Test Automation", "Cypress", "Playwright", "CI/CD"),
    "Manual Testing": ("Test Automation", "Selenium", "Jira"),
    "Cybersecurity": ("Penetration Testing", "OWASP", "SIEM", "Network Security"),
    "Figma": ("UX Design", "User Research", "Prototyping"),
    "Android": ("Kotlin", "Java"),
    "iOS": ("Swift", "Objective-C"),
    "Flutter": ("Dart",),
    "Kafka": ("Apache Spark", "Microservices"),
    "Agile": ("Scrum", "Jira"),
    "Project Management": ("Agile", "Stakeholder Management", "Jira"),
    "Leadership": ("Mentoring", "Stakeholder Management"),
}

# Words in a title or an instruction that hint at the skills a role needs.
ROLE_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"tester|testing|qa|quality", ("Test Automation", "Selenium", "Manual Testing", "Jira")),
    (r"data scientist|machine learning|ml|ai", ("Python", "Machine Learning", "Statistics")),
    (r"data engineer", ("SQL", "Apache Spark", "Airflow", "ETL")),
    (r"analyst|analytics", ("SQL", "Microsoft Excel", "Tableau", "Data Analysis")),
    (r"devops|sre|platform|cloud|infrastructure", ("Docker", "Kubernetes", "Terraform", "CI/CD")),
    (r"front[- ]?end|ui", ("JavaScript", "TypeScript", "React", "CSS")),
    (r"back[- ]?end|api", ("REST APIs", "SQL", "Docker", "Microservices")),
    (r"full[- ]?stack", ("JavaScript", "React", "Node.js", "SQL")),
    (r"mobile|ios|android", ("Kotlin", "Swift", "Flutter")),
    (r"designer|design|ux", ("Figma", "UX Design", "User Research", "Prototyping")),
    (r"security", ("Cybersecurity", "Penetration Testing", "Network Security")),
    (r"senior|lead|principal|staff|head|manager", ("Mentoring", "Leadership", "System Design")),
    (r"product", ("Product Management", "Agile", "User Research")),
    (r"marketing", ("SEO", "Google Analytics", "Content Marketing")),
    (r"sales|account", ("Salesforce", "Negotiation", "HubSpot")),
    (r"support|customer", ("Customer Service", "Zendesk", "Communication")),
    (r"remote", ("Communication", "Time Management")),
    (r"engineer|developer|programmer", ("Git", "Unit Testing", "Code Review")),
)


def _term_pattern(term: str, case_sensitive: bool) -> re.Pattern[str]:
    left = r"(?<![\w.#+])" if term[0].isalnum() else r"(?<!\w)"
    # "C-level", "R&D", "Go's" and "R.Smith" are not skills.
    tail = r"(?![-&'\u2019]|\.\w)" if len(term) <= 2 else ""
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(left + re.escape(term) + r"(?![\w#+])" + tail, flags)


@cache
def _patterns() -> tuple[tuple[str, tuple[tuple[re.Pattern[str], bool], ...]], ...]:
    """(canonical name, ((pattern, needs mid-sentence), ...)) for every catalogue entry."""
    compiled = []
    for entry in _CATALOGUE:
        terms = entry.split("|")
        name = terms[0].lstrip("=")
        pats = []
        for term in terms:
            sensitive = term.startswith("=")
            word = term.lstrip("=")
            pats.append((_term_pattern(word, sensitive), sensitive and len(word) <= 2))
        compiled.append((name, tuple(pats)))
    return tuple(compiled)


SKILLS: tuple[str, ...] = tuple(entry.split("|")[0].lstrip("=") for entry in _CATALOGUE)


def _sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t")
    return not before or before.endswith(("\n", ".", "!", "?"))


def _spans(text: str, patterns: tuple[tuple[re.Pattern[str], bool], ...]) -> list[tuple[int, int]]:
    spans = []
    for pattern, mid_sentence_only in patterns:
        for match in pattern.finditer(text):
            if not (mid_sentence_only and _sentence_start(text, match.start())):
                spans.append(match.span())
    return spans


def find_skill_mentions(text: str) -> list[tuple[int, str]]:
    """(position of first mention, canonical name) of each catalogue skill in `text`, in order.

    A mention inside a longer one ("Spring" in "Spring Boot") does not count.
    """
    matches = [(name, order, _spans(text, pats)) for order, (name, pats) in enumerate(_patterns())]
    every = [span for _, _, spans in matches for span in spans]
    found = []
    for name, order, spans in matches:
        free = [
            start
            for start, end in spans
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e in every)
        ]
        if free:
            found.append((min(free), order, name))
    return [(position, name) for position, _, name in sorted(found)]


def find_skills(text: str) -> list[str]:
    """Catalogue skills mentioned in `text`, canonical names, in order of first mention."""
    return [name for _, name in find_skill_mentions(text)]


@cache
def _by_term() -> dict[str, str]:
    return {
        term.lstrip("=").casefold(): entry.split("|")[0].lstrip("=")
        for entry in _CATALOGUE
        for term in entry.split("|")
    }


def canonical_skill(name: str) -> str:
    """The catalogue's spelling of `name` when it names a known skill, else `name` trimmed."""
    cleaned = " ".join(name.split())
    return _by_term().get(cleaned.casefold(), cleaned)


def related_skills(present: Iterable[str], text: str, limit: int = 5) -> list[str]:
    """Skills for the role words in `text`, then skills that go with `present`; none present."""
    have = {skill.casefold() for skill in present}
    candidates: list[str] = []
    for words, skills in ROLE_HINTS:
        if re.search(rf"\b(?:{words})\b", text, re.IGNORECASE):
            candidates.extend(skills)
    for skill in present:
        candidates.extend(RELATED.get(skill, ()))
    suggestions: list[str] = []
    for skill in candidates:
        if skill.casefold() not in have and skill not in suggestions:
            suggestions.append(skill)
    return suggestions[:limit]
