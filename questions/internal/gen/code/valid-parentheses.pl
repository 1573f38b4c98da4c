use strict;
use warnings;

my @data = split ' ', do { local $/; <STDIN> };
my $t = $data[0];
my @out;
for my $s (@data[1 .. $t]) {
    # TODO: decide whether $s is balanced.
    my $balanced = 0;
    push @out, $balanced ? 'YES' : 'NO';
}
print join("\n", @out), "\n";
