package io.qpart.core.optimize;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The optimiser and the cost model see only numbers (STYLE 7): they depend on the JDK's core
 * packages and on nothing else, not even on each other.
 */
class PureNumbersArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.qpart.core.optimize", "io.qpart.core.cost");

    @Test
    void optimizeUsesOnlyTheJdkCore() {
        classes().that().resideInAPackage("io.qpart.core.optimize")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("io.qpart.core.optimize", "java.lang..", "java.util..")
                .check(CLASSES);
    }

    @Test
    void costUsesOnlyTheJdkCore() {
        classes().that().resideInAPackage("io.qpart.core.cost")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("io.qpart.core.cost", "java.lang..", "java.util..")
                .check(CLASSES);
    }
}
