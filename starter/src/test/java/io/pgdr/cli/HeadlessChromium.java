package io.pgdr.cli;

import io.pgdr.lab.RequiredComponent;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, as a person uses a page: it
 * clicks what is shown, types into the fields, and keeps a screenshot of each stage. The browser and
 * the driver are the machine's own ({@code apt-get install chromium chromium-driver}): both paths
 * are given to Selenium, so that its Selenium Manager never looks for, let alone downloads, either.
 */
final class HeadlessChromium implements AutoCloseable {

  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final String INSTALL = "apt-get install -y chromium chromium-driver";

  private final ChromeDriver driver;
  private final Path screenshots;
  private final Path profile;

  private HeadlessChromium(ChromeDriver driver, Path screenshots, Path profile) {
    this.driver = driver;
    this.screenshots = screenshots;
    this.profile = profile;
  }

  /** Fails with the install hint on CI ({@code CI=true}) and skips elsewhere when the browser or its driver is missing. */
  static void require() {
    RequiredComponent.require("Chromium (" + BROWSER + ")", Files.isExecutable(BROWSER), INSTALL);
    RequiredComponent.require("chromedriver (" + DRIVER + ")", Files.isExecutable(DRIVER), INSTALL);
  }

  static HeadlessChromium start(Path screenshots, Path log) throws IOException {
    // Selenium finds no DevTools module for this Chromium's version; nothing here needs one
    Logger.getLogger("org.openqa.selenium.devtools").setLevel(Level.SEVERE);
    Logger.getLogger("org.openqa.selenium.chromium").setLevel(Level.SEVERE);
    Files.createDirectories(screenshots);
    Path profile = Files.createTempDirectory("pgdr-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-US",
        // loopback only: no name resolves but to nothing, no proxy, no reporting
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--no-proxy-server", "--disable-domain-reliability");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().withLogFile(log.toFile()).build();
    return new HeadlessChromium(new ChromeDriver(service, options), screenshots, profile);
  }

  void open(String url) {
    driver.get(url);
  }

  String url() {
    return driver.getCurrentUrl();
  }

  void windowSize(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** Saves what the page shows now as {@code <screenshots>/<name>.png}. */
  Path screenshot(String name) throws IOException {
    Path file = screenshots.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  /** The page's HTML beside the screenshots, for a failure. */
  void savePage(String name) throws IOException {
    Files.writeString(screenshots.resolve(name + ".html"), driver.getPageSource());
  }

  /**
   * The first element matching {@code xpath} that is shown, once there is one. The UI renders some
   * controls twice, one of them hidden by the layout, as it does its run actions for narrow and
   * wide windows.
   */
  WebElement shown(String xpath, Duration within) {
    return await(within, "an element shown: " + xpath, () -> shownNow(xpath));
  }

  WebElement shown(String xpath) {
    return shown(xpath, Duration.ofSeconds(20));
  }

  boolean isShown(String xpath) {
    return shownNow(xpath) != null;
  }

  /** How many elements matching {@code xpath} are shown now. */
  int count(String xpath) {
    try {
      return (int) driver.findElements(By.xpath(xpath)).stream().filter(WebElement::isDisplayed).count();
    } catch (StaleElementReferenceException rerendered) {
      return -1;
    }
  }

  private WebElement shownNow(String xpath) {
    try {
      List<WebElement> all = driver.findElements(By.xpath(xpath));
      return all.stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
    } catch (StaleElementReferenceException rerendered) {
      return null;
    }
  }

  void click(String xpath) {
    await(Duration.ofSeconds(20), "a click on " + xpath, () -> {
      WebElement element = shownNow(xpath);
      if (element == null || !element.isEnabled()) {
        return null;
      }
      try {
        // scrolled to the middle first, as a person scrolls to what they click: the UI's top bar stays over the page's top
        driver.executeScript("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", element);
        element.click();
        return Boolean.TRUE;
      } catch (StaleElementReferenceException | org.openqa.selenium.ElementClickInterceptedException notYet) {
        return null;
      }
    });
  }

  /** Clicks the field and types, key by key, as a person does. */
  void type(String xpath, String text) {
    click(xpath);
    shown(xpath).sendKeys(text);
  }

  /** Keys typed wherever the focus is (the UI's code editors take their text this way). */
  void keys(String text) {
    new Actions(driver).sendKeys(text).perform();
  }

  /** The text the page shows inside the first shown element matching {@code xpath}, or "" when there is none. */
  String text(String xpath) {
    try {
      WebElement element = shownNow(xpath);
      return element == null ? "" : element.getText();
    } catch (StaleElementReferenceException rerendered) {
      return "";
    }
  }

  /**
   * The text of the first element matching {@code innerXpath} inside the frame {@code frameXpath}, or
   * "" when there is none. The UI renders Markdown (a run's summary, details and current details) in
   * frames of their own.
   */
  String frameText(String frameXpath, String innerXpath) {
    WebElement frame = shownNow(frameXpath);
    if (frame == null) {
      return "";
    }
    try {
      driver.switchTo().frame(frame);
      List<WebElement> found = driver.findElements(By.xpath(innerXpath));
      return found.isEmpty() ? "" : found.get(0).getText();
    } catch (StaleElementReferenceException | org.openqa.selenium.NoSuchFrameException rerendered) {
      return "";
    } finally {
      driver.switchTo().defaultContent();
    }
  }

  /** Waits until {@code condition} gives a value (not null, false or "") and returns it; fails naming {@code what}. */
  <T> T await(Duration within, String what, Supplier<T> condition) {
    WebDriverWait wait = new WebDriverWait(driver, within, Duration.ofMillis(200));
    wait.withMessage("waited " + within.toSeconds() + " s for " + what + " (page " + driver.getCurrentUrl() + ")");
    return wait.until(d -> {
      T value = condition.get();
      return Boolean.FALSE.equals(value) || "".equals(value) ? null : value;
    });
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteQuietly(profile.toFile());
    }
  }

  private static void deleteQuietly(File file) {
    File[] children = file.listFiles();
    if (children != null) {
      for (File child : children) {
        deleteQuietly(child);
      }
    }
    file.delete();
  }
}
