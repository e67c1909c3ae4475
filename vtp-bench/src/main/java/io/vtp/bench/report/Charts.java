package io.vtp.bench.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The look every benchmark chart shares (library level and system level): white canvas, a bold title, plain
 * 12 pt labels, VTP in blue, contenders in orange, floors in grey. Draw with java.awt headless
 * ({@code -Djava.awt.headless=true}).
 */
public final class Charts {
  /** Our own code. */
  public static final Color VTP = new Color(33, 113, 181);
  /** Other libraries. */
  public static final Color CONTENDER = new Color(230, 126, 34);
  /** Floors (raw GET, bare framework). */
  public static final Color FLOOR = Color.GRAY;
  /** Grid lines. */
  public static final Color GRID = new Color(220, 220, 220);
  /** Label font. */
  public static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

  private Charts() {}

  /** A canvas being drawn on. */
  public record Canvas(BufferedImage image, Graphics2D g) {
    /**
     * Writes the canvas as PNG and releases it.
     *
     * @param png the file
     * @throws IOException when it cannot be written
     */
    public void write(Path png) throws IOException {
      g.dispose();
      ImageIO.write(image, "png", png.toFile());
    }
  }

  /**
   * Starts a chart: a white canvas with antialiasing, the title at the top left, the label font selected.
   *
   * @param width pixels
   * @param height pixels
   * @param title the title
   * @return the canvas
   */
  public static Canvas canvas(int width, int height, String title) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, 12, 22);
    g.setFont(LABEL);
    return new Canvas(img, g);
  }
}
