// OWL 2 DL profile check for migkg.
//
// Usage: java DLProfileCheck FILE [FILE ...]
//
// All files (Turtle .ttl, N-Triples .nt, RDF/XML .rdf/.owl/.xml) are first
// parsed with RDF4J Rio and merged into ONE RDF graph, so that the terms
// declared in the ontology are known when the data triples are mapped to OWL
// axioms (parsing the data file on its own would make the OWL API guess).
// The merged graph is then loaded with the OWL API and checked with
// OWL2DLProfile. Every violation is printed, one per line; triples the OWL API
// could not map to any axiom are printed too (they mean the RDF graph is not a
// clean OWL 2 DL serialisation). Exit code: 0 = in OWL 2 DL, 1 = violations
// or unparsed triples, 2 = bad input (missing file, syntax error).
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.eclipse.rdf4j.model.Model;
import org.eclipse.rdf4j.model.impl.LinkedHashModel;
import org.eclipse.rdf4j.rio.RDFFormat;
import org.eclipse.rdf4j.rio.Rio;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.NTriplesDocumentFormat;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.RDFTriple;
import org.semanticweb.owlapi.io.StringDocumentSource;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class DLProfileCheck {

    private static RDFFormat formatOf(String name) {
        String n = name.toLowerCase();
        if (n.endsWith(".ttl")) return RDFFormat.TURTLE;
        if (n.endsWith(".nt")) return RDFFormat.NTRIPLES;
        if (n.endsWith(".rdf") || n.endsWith(".owl") || n.endsWith(".xml")) return RDFFormat.RDFXML;
        Optional<RDFFormat> f = Rio.getParserFormatForFileName(name);
        return f.orElse(RDFFormat.TURTLE);
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: DLProfileCheck FILE [FILE ...]");
            System.exit(2);
        }
        Model merged = new LinkedHashModel();
        for (String a : args) {
            File f = new File(a);
            if (!f.isFile()) {
                System.err.println(a + ": no such file");
                System.exit(2);
            }
            try (InputStream in = new FileInputStream(f)) {
                merged.addAll(Rio.parse(in, f.toURI().toString(), formatOf(a)));
            } catch (Exception e) {
                System.err.println(a + ": cannot parse: " + e.getMessage());
                System.exit(2);
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Rio.write(merged, buf, RDFFormat.NTRIPLES);
        String nt = buf.toString(StandardCharsets.UTF_8);

        OWLOntologyManager man = OWLManager.createOWLOntologyManager();
        OWLOntologyLoaderConfiguration conf = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
        man.setOntologyLoaderConfiguration(conf);
        OWLOntology ont = man.loadOntologyFromOntologyDocument(
                new StringDocumentSource(nt, "urn:migkg:merged", new NTriplesDocumentFormat(), null));

        int problems = 0;
        OWLDocumentFormat fmt = ont.getFormat();
        if (fmt != null) {
            Optional<OWLOntologyLoaderMetaData> md = fmt.getOntologyLoaderMetaData();
            if (md.isPresent()) {
                List<RDFTriple> unparsed = md.get().getUnparsedTriples().collect(java.util.stream.Collectors.toList());
                for (RDFTriple t : unparsed) {
                    System.out.println("UNPARSED TRIPLE (not mapped to any OWL axiom): " + t);
                    problems++;
                }
            }
        }
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ont);
        for (OWLProfileViolation v : report.getViolations()) {
            System.out.println(v.getClass().getSimpleName() + ": " + v.toString().replace('\n', ' '));
            problems++;
        }
        System.out.println(String.format("%d axioms, %d profile violations, %s",
                ont.getAxiomCount(), report.getViolations().size(),
                problems == 0 ? "OWL 2 DL: OK" : "NOT in OWL 2 DL"));
        System.exit(problems == 0 ? 0 : 1);
    }
}
