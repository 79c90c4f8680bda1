"""Shared fixtures: a small real parallel text pair, an isolated embedding cache, the
session's models, and Debian's headless Chromium for the page tests."""

import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")

RU_SENTENCES = [
    "Таковы те общие условия, которые, по словам коллегии ГПУ, «не препятствуют» ныне политической "
    "деятельности оппозиции и моей в частности.",
    "Жалкая угроза изменить для меня условия в сторону дальнейшей изоляции означает не что иное, как "
    "решение фракции Сталина заменить ссылку тюрьмой.",
    "Это решение, как сказано выше, для меня не ново.",
    "Намеченное в перспективе еще в 1924 году, оно проводится в жизнь постепенно, через ряд ступеней.",
    "Телеграфные запросы о здоровье чаще всего не доходят по назначению.",
    "У ворот Константинополя я имею честь сообщить вам, что не по своему свободному выбору я прибыл на "
    "турецкую границу, и что я перехожу эту границу лишь уступая насилию.",
]
EN_SENTENCES = [
    "These are the general conditions which, according to the collegium of the GPU, \"do not hinder\" "
    "the political activity of the opposition and mine in particular.",
    "The pitiful threat to change these conditions for me in the direction of further isolation means "
    "nothing more than the decision of the Stalin faction to replace exile with prison.",
    "This solution, as mentioned above, is not new to me.",
    "Planned in perspective as far back as 1925, it is being put into practice gradually, through a "
    "series of steps.",
    "At the gates of Constantinople, I have the honor to inform you that I arrived at the Turkish border "
    "by no means of my own choice, and that I can cross this border only by submitting to violence.",
]


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test shares one embedding cache of its own, never the user's."""
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "align-cache"))


@pytest.fixture
def parallel_dirs(tmp_path) -> tuple[Path, Path]:
    ru, en = tmp_path / "ru", tmp_path / "en"
    ru.mkdir()
    en.mkdir()
    (ru / "statement.txt").write_text("\n\n".join(RU_SENTENCES[:4]) + "\n\n" + " ".join(RU_SENTENCES[4:]) + "\n",
                                      encoding="utf-8")
    (en / "statement.txt").write_text("\n\n".join(EN_SENTENCES) + "\n", encoding="utf-8")
    return ru, en


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory):
    """The cache folder the whole session shares (the one `isolated_cache` points the CLI at)."""
    from align.cache import CacheFolder

    return CacheFolder(tmp_path_factory.getbasetemp() / "align-cache")


@pytest.fixture(scope="session")
def components(session_cache):
    """The default encoder, word model and vocabulary, loaded once for the session."""
    from align.components import load_components
    from align.settings import Settings

    return load_components(Settings(cache=session_cache), progress=False)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Selenium and Debian's chromedriver (never a
    browser download), one per test file; its console and network logs are kept."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Debian chromium and chromium-driver are not installed (.ci/run installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[test])")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="align-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-default-apps", "--disable-extensions", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_window_size(1400, 1000)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    """Screenshots for a person to look at (never committed)."""
    folder = tmp_path_factory.getbasetemp() / "artefacts"
    folder.mkdir(exist_ok=True)
    return folder
