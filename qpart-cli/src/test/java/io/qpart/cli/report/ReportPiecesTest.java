package io.qpart.cli.report;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CSV, SVG and HTML pieces of the reports. */
class ReportPiecesTest {
    static Document xml(String s) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void csvQuotesWhatNeedsQuotingAndLeavesMissingValuesEmpty() {
        Csv c = new Csv("a", "b", "c").row("x,y", Double.NaN, 1.5).row("say \"hi\"", null, 3);
        assertThat(c.render()).isEqualTo("a,b,c\n\"x,y\",,1.5\n\"say \"\"hi\"\"\",,3\n");
        assertThat(c.records().get(0)).containsEntry("b", null).containsEntry("c", 1.5);
        assertThatThrownBy(() -> c.row(1, 2)).hasMessageContaining("expected 3");
    }

    @Test
    void plotsAreWellFormedSvgWithLegendAndGaps() throws Exception {
        SvgPlot p = new SvgPlot("Objective <test>", "rate (bit/s)", "objective J").xLog().yLog()
                .line("alpha & beta", new double[]{1e6, 1e7, 1e8, 1e9}, new double[]{1, Double.NaN, 0.1, 0.01})
                .line("gamma", new double[]{1e6, 1e9}, new double[]{0.5, 0.05}).vline(5e7, "profile");
        String svg = p.render();
        Document d = xml(svg);
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg).contains("alpha &amp; beta", "Objective &lt;test&gt;", "rate (bit/s)", "stroke-dasharray", "profile");
        // the NaN breaks the first line into two pieces: two move-to commands in its path
        String first = svg.substring(svg.indexOf("<path d=\"M"));
        first = first.substring(0, first.indexOf("/>"));
        assertThat(first.split("M", -1)).hasSize(3);
        // decade ticks with superscript exponents
        assertThat(svg).contains(">6</tspan>", ">9</tspan>");
        assertThat(SvgPlot.style(0)).isNotEqualTo(SvgPlot.style(1));
        assertThat(SvgPlot.style(0).dash()).isNotEqualTo(SvgPlot.style(1).dash());
        assertThat(SvgPlot.style(0).marker()).isNotEqualTo(SvgPlot.style(1).marker());
    }

    @Test
    void emptyPlotSaysSo() throws Exception {
        String svg = new SvgPlot("t", "x", "y").line("none", new double[]{1}, new double[]{Double.NaN}).render();
        xml(svg);
        assertThat(svg).contains("no data to plot");
    }

    @Test
    void htmlEscapesTextAndCarriesProvenance() {
        Provenance prov = new Provenance("qpart demo --out 'a b'", "abc", "2026-01-01T00:00:00Z", Map.of("model", "ff"), Map.of("fading", "1"),
                Map.of("java", "25"));
        String html = new HtmlPage("A <b> report").p("x < y & z").table(List.of("k", "v"), List.of(List.of("n", "1.5"))).provenance(prov).render();
        assertThat(html).contains("A &lt;b&gt; report", "x &lt; y &amp; z", "<td class=\"n\">1.5</td>", "qpart demo --out &#39;a b&#39;".replace("&#39;", "'"),
                "sha256 of model", "seed: fading");
        assertThat(Provenance.commandLine("qpart", List.of("demo", "--out", "a b"))).isEqualTo("qpart demo --out 'a b'");
    }
}
