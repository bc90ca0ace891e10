// OWL 2 DL profile check for migkg.
//
// Usage: java DLProfileCheck [--allow-datatype=IRI ...] FILE [FILE ...]
//
// --allow-datatype=IRI (xsd:NAME is accepted for XML Schema) reports, but does
// not count, the violations that only say a LITERAL uses that datatype
// (UseOfDefinedDatatypeInLiteral, UseOfUndeclaredDatatype). OWL 2 has no
// xsd:date, xsd:gYear, xsd:gYearMonth or xsd:duration, and the OWL API flags
// every literal of those types even when the datatype is declared; the data
// model uses them (ELI and OWL-Time do too), so the project's check passes
// --allow-datatype for exactly those four. Nothing else is relaxed.
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
        java.util.Set<String> allowed = new java.util.HashSet<>();
        java.util.List<String> files = new java.util.ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--allow-datatype=")) {
                String dt = a.substring("--allow-datatype=".length());
                if (dt.startsWith("xsd:")) dt = "http://www.w3.org/2001/XMLSchema#" + dt.substring(4);
                allowed.add(dt);
            } else if (a.startsWith("--")) {
                System.err.println("unknown option: " + a);
                System.exit(2);
            } else {
                files.add(a);
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: DLProfileCheck [--allow-datatype=IRI ...] FILE [FILE ...]");
            System.exit(2);
        }
        Model merged = new LinkedHashModel();
        for (String a : files) {
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
        int tolerated = 0;
        java.util.Map<String, Integer> toleratedByType = new java.util.TreeMap<>();
        for (OWLProfileViolation v : report.getViolations()) {
            String kind = v.getClass().getSimpleName();
            String dt = null;
            Object e = v.getExpression();
            if (e instanceof org.semanticweb.owlapi.model.OWLLiteral) {
                dt = ((org.semanticweb.owlapi.model.OWLLiteral) e).getDatatype().getIRI().toString();
            } else if (e instanceof org.semanticweb.owlapi.model.OWLDatatype) {
                dt = ((org.semanticweb.owlapi.model.OWLDatatype) e).getIRI().toString();
            }
            boolean literalOnly = (kind.equals("UseOfDefinedDatatypeInLiteral") || kind.equals("UseOfUndeclaredDatatype"))
                    && v.getAxiom() != null
                    && (v.getAxiom().isOfType(org.semanticweb.owlapi.model.AxiomType.DATA_PROPERTY_ASSERTION)
                        || v.getAxiom().isOfType(org.semanticweb.owlapi.model.AxiomType.ANNOTATION_ASSERTION)
                        || v.getAxiom().isOfType(org.semanticweb.owlapi.model.AxiomType.DECLARATION));
            if (dt != null && allowed.contains(dt) && literalOnly) {
                tolerated++;
                toleratedByType.merge(dt, 1, Integer::sum);
                continue;
            }
            System.out.println(kind + ": " + v.toString().replace('\n', ' '));
            problems++;
        }
        for (java.util.Map.Entry<String, Integer> t : toleratedByType.entrySet()) {
            System.out.println("allowed: " + t.getValue() + " literal(s) of " + t.getKey()
                    + " (not in the OWL 2 datatype map)");
        }
        System.out.println(String.format("%d axioms, %d profile violations (%d allowed), %s",
                ont.getAxiomCount(), report.getViolations().size() - tolerated, tolerated,
                problems == 0 ? "OWL 2 DL: OK" : "NOT in OWL 2 DL"));
        System.exit(problems == 0 ? 0 : 1);
    }
}
